// Nothing waits forever: a registry that accepts TCP and never says a word fails in ≤ 35 s by default, with one
// clear network error (exit 5); a time limit bounds the whole call; a name resolver that never answers is a
// NetworkError, not a promise that never settles (which ends a script with exit 13 and nothing printed).
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { createContext, digest, NetworkError, TimeoutError } from '../src/index.js';
import { startSilent } from './helpers/hostile-server.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runBin, spawnCapture, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const INDEX = pathToFileURL(join(resolve(import.meta.dirname, '../dist'), 'index.js')).href;

describe('a registry that accepts TCP and never answers', () => {
  let silent: { host: string; stop(): Promise<void> };
  let reg: RegistryHandle;
  let image: SeededImage;
  let home: Home;

  before(async () => {
    [silent, reg] = await Promise.all([startSilent(), startRegistry()]);
    image = await seedImage({ url: reg.url }, 'app', '1');
    home = await makeHome();
  });
  after(async () => {
    await Promise.all([silent.stop(), reg.stop()]);
    await home.cleanup();
  });

  test('fails within 35 s by default: the CLI with exit 5 and one network error, the library with a NetworkError', { timeout: 60_000 }, async () => {
    const ref = `${silent.host}/app:1`;
    const started = Date.now();
    const timed = async <T>(work: Promise<T>) => {
      const value = await work;
      return { value, seconds: (Date.now() - started) / 1000 };
    };
    const [cli, lib] = await Promise.all([
      timed(runBin(['digest', ref], home.env)),
      timed(digest(ref, { env: home.env, homedir: home.dir, noCache: true }).then(() => undefined, (err: unknown) => err)),
    ]);
    assert.equal(cli.value.code, 5, cli.value.stderr);
    assert.ok(cli.seconds <= 35, `the CLI took ${cli.seconds} s`);
    assert.match(cli.value.stderr, new RegExp(`^regctl: timed out connecting to https://${silent.host.replace(/\./g, '\\.')}: it accepted no connection, or did not finish the TLS handshake\\nhint: .*\\n$`));
    const err = lib.value;
    assert.ok(err instanceof NetworkError && err.code === 'ERR_TIMEOUT' && err.exitCode === 5, String(err));
    assert.ok(lib.seconds <= 35, `the library took ${lib.seconds} s`);
  });

  test('--timeout bounds the whole command: 2 s, exit 5, the time limit named', async () => {
    const started = Date.now();
    const r = await runBin(['--timeout', '2s', 'digest', `${silent.host}/app:1`], home.env);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 5, r.stderr);
    assert.ok(seconds < 10, `took ${seconds} s`);
    assert.equal(r.stderr, 'regctl: gave up: the time limit of 2s ran out\nhint: raise --timeout, or check that the registry answers\n');
  });

  test('timeoutMs bounds one call of a shared context (not the context): that call fails, the next one works', async () => {
    await using ctx = await createContext({ env: home.env, homedir: home.dir, noCache: true });
    const started = Date.now();
    await assert.rejects(digest(`${silent.host}/app:1`, { context: ctx, timeoutMs: 1500 }), (err: unknown) =>
      err instanceof TimeoutError && err.option === 'timeoutMs' && err.exitCode === 5 && !/--timeout/.test(`${err.message} ${err.hint}`));
    assert.ok(Date.now() - started < 10_000, 'the call\'s time limit ended it, not the 30 s connect timeout');
    assert.equal(await digest(`${reg.host}/app:1`, { context: ctx, timeoutMs: 1500 }), image.digest);
  });

  test('a context\'s timeoutMs is the limit of each call, counted from the call\'s start', async () => {
    await using ctx = await createContext({ env: home.env, homedir: home.dir, noCache: true, timeoutMs: 1500 });
    await new Promise((done) => setTimeout(done, 2000));
    assert.equal(await digest(`${reg.host}/app:1`, { context: ctx }), image.digest, 'the context outlives its calls\' limit');
    await assert.rejects(digest(`${silent.host}/app:1`, { context: ctx }), (err: unknown) => err instanceof TimeoutError && err.option === 'timeoutMs');
  });
});

describe('a name resolver that never answers', () => {
  let home: Home;
  before(async () => {
    home = await makeHome();
  });
  after(() => home.cleanup());

  test('is a NetworkError (ERR_DNS) after the connect timeout, in a script that awaits it: no exit 13', async () => {
    // a credentials callback given where the resolver goes: it is called, returns, and never calls back
    const script = `
      import { digest } from ${JSON.stringify(INDEX)};
      try {
        await digest('r.test:5000/app:1', { network: { dnsLookup: (registry) => undefined }, timeouts: { connectMs: 1000 }, noCache: true });
      } catch (err) {
        console.log(err.constructor.name, err.code, err.exitCode, err.message);
      }
    `;
    const r = await spawnCapture(process.execPath, ['--input-type=module', '-e', script], home.env);
    assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^NetworkError ERR_DNS 5 cannot resolve host r\.test: no answer from the name resolver for r\.test within 1000 ms\n$/);
  });
});

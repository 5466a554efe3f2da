// createContext as a GitHub Action or a service uses it: every setting inline (a CA as PEM text from a secret, the
// store's folder, the retry policy, one blob limit for all calls), checked like an operation's options, and closed
// by `await using`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { copy, createContext, digest, images, NetworkError, pull, UsageError, type CopyProgress } from '../src/index.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';
import { testCA } from './helpers/tls.js';

describe('createContext checks its options as the door does', () => {
  const usage = (option: string, message?: RegExp) => (err: unknown) =>
    err instanceof UsageError && err.option === option && (message === undefined || message.test(err.message));

  test('unknown, wrong type, null: UsageError naming the option, nested names included', async () => {
    // a credentials callback where the DNS resolver used to be: no longer a name at the top level
    await assert.rejects(createContext({ lookup: () => undefined } as never), usage('lookup', /^unknown option lookup/));
    await assert.rejects(createContext({ storePath: null } as never), usage('storePath', /got null/));
    await assert.rejects(createContext({ blobConcurrency: 0 }), usage('blobConcurrency', /at least 1/));
    await assert.rejects(createContext({ network: { dnsLookup: 'dns' } } as never), usage('network.dnsLookup', /want a function/));
    await assert.rejects(createContext({ retry: { attempts: 2, tries: 3 } } as never), usage('retry.tries'));
    await assert.rejects(createContext({ timeouts: { connect: 5 } } as never), usage('timeouts.connect', /did you mean connectMs/));
    await assert.rejects(createContext({ registries: { 'r.test': { ca: 'not a certificate' } } }), usage('registries["r.test"].ca', /PEM/));
    await assert.rejects(createContext({ registries: { 'r.test': { mirrors: ['ftp://m.test'] } } }), usage('registries["r.test"].mirrors[0]', /http or https URL/));
    await assert.rejects(createContext({ registries: { 'r.test': { insecure: 'yes' } } } as never), usage('registries["r.test"].insecure'));
  });

  test('a context setting given to a call with a context is refused, not dropped', async () => {
    await using ctx = await createContext({ noCache: true });
    await assert.rejects(digest('r.test/app:1', { context: ctx, registries: { 'r.test': { insecure: true } } }), usage('registries', /a setting of the context/));
  });
});

describe('inline settings', () => {
  let tls: RegistryHandle;
  let plain: RegistryHandle;
  let image: SeededImage;
  let home: Home;

  before(async () => {
    [tls, plain] = await Promise.all([startRegistry({ tls: true }), startRegistry()]);
    image = await seedImage({ url: tls.url, ca: tls.caFile! }, 'app', '1');
    home = await makeHome();
  });
  after(async () => {
    await Promise.all([tls.stop(), plain.stop()]);
    await home.cleanup();
  });

  test('a TLS registry trusted through its CA given inline as PEM text; without it, ERR_TLS that names no CLI flag', async () => {
    const ref = `${tls.host}/app:1`;
    await assert.rejects(digest(ref, { env: home.env, homedir: home.dir, noCache: true }), (err: unknown) =>
      err instanceof NetworkError && err.code === 'ERR_TLS' && err.host === tls.host && !/--|regctl /.test(`${err.message} ${err.hint}`));
    const ca = await readFile((await testCA()).caCert, 'utf8');
    await using ctx = await createContext({ env: home.env, homedir: home.dir, noCache: true, registries: { [tls.host]: { ca } } });
    assert.equal(await digest(ref, { context: ctx }), image.digest);
  });

  test('`await using` closes the context: its connections end with the block', async () => {
    const proxy = await startTcpProxy(plain.port);
    try {
      await seedImage({ url: plain.url }, 'using/app', '1');
      {
        await using ctx = await createContext({ env: home.env, homedir: home.dir, noCache: true });
        await digest(`${proxy.host}/using/app:1`, { context: ctx });
        assert.ok(proxy.open() >= 1, 'a connection is kept open while the context is');
      }
      for (let i = 0; i < 50 && proxy.open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(proxy.open(), 0, 'leaving the block closed the context\'s connections');
    } finally {
      await proxy.stop();
    }
  });

  test('storePath: pull writes into the store folder given, nowhere else', async () => {
    const store = await mkdtemp(join(tmpdir(), 'regctl-store-'));
    try {
      await seedImage({ url: plain.url }, 'stored/app', '1');
      await using ctx = await createContext({ env: home.env, homedir: home.dir, noCache: true, storePath: store });
      await pull(`${plain.host}/stored/app:1`, { context: ctx });
      assert.ok((await readdir(store)).length > 0, 'the store folder was written');
      assert.deepEqual((await images(undefined, { context: ctx })).map((i) => i.name), [`${plain.host}/stored/app:1`]);
      await assert.rejects(readdir(join(home.dir, '.local/share/regctl/store')), { code: 'ENOENT' });
    } finally {
      await rm(store, { recursive: true, force: true });
    }
  });

  test('retry: one attempt means one request for a registry answering 503 (five by default)', async () => {
    const proxy = await startProxy(plain.url, { fault: (method, url) => (url.pathname.includes('/manifests/') ? { status: 503 } : undefined) });
    try {
      await using ctx = await createContext({ env: home.env, homedir: home.dir, noCache: true, retry: { attempts: 1 } });
      await assert.rejects(digest(`${proxy.host}/app:1`, { context: ctx }));
      assert.equal(proxy.requests.filter((q) => q.includes('/manifests/')).length, 1);
    } finally {
      await proxy.stop();
    }
  });
});

describe('one blob limit for every call of a context', () => {
  let reg: RegistryHandle;
  let home: Home;
  let out: string;

  before(async () => {
    reg = await startRegistry();
    for (const name of ['one', 'two']) {
      const layers = Array.from({ length: 4 }, () => randomBytes(2 * 1024 * 1024));
      await seedImage({ url: reg.url }, `limit/${name}`, '1', { layers });
    }
    home = await makeHome();
    out = await mkdtemp(join(tmpdir(), 'regctl-limit-'));
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(out, { recursive: true, force: true });
  });

  /** The most blobs two copies at once had in flight (from a blob's first bytes to its end), over the context's limit. */
  async function mostInFlight(blobConcurrency: number | undefined, run: string): Promise<number> {
    await using ctx = await createContext({ env: home.env, homedir: home.dir, noCache: true, ...(blobConcurrency ? { blobConcurrency } : {}) });
    const moving = new Set<string>();
    let most = 0;
    const onProgress = (e: CopyProgress) => {
      if (e.kind === 'bytes') moving.add(e.digest);
      if (e.kind === 'blob') moving.delete(e.digest);
      most = Math.max(most, moving.size);
    };
    await Promise.all(['one', 'two'].map((name) => copy(`${reg.host}/limit/${name}:1`, `oci:${join(out, run, name)}:1`, { context: ctx, onProgress })));
    return most;
  }

  test('blobConcurrency 1: two copies of four layers each move one blob at a time in all; without it, several', async () => {
    assert.equal(await mostInFlight(1, 'limited'), 1);
    assert.ok(await mostInFlight(undefined, 'free') > 1, 'the copies overlap when nothing limits them (the measure can fail)');
  });
});

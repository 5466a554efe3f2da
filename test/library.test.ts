// The library facade (src/index.ts) against real registries: calls without a context, credentials passed in,
// progress events, cancellation, a shared context; and what importing the main entry loads.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  CancelledError, AuthError, copy, createContext, del, digest, images, inspect, NotFoundError, pull, push, rmi, sync, tag, tags,
  UsageError, type CopyProgress, type SyncProgress,
} from '../src/index.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, spawnCapture, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const DIST = resolve(import.meta.dirname, '../dist');
const PASSWORD = 'lib-pw-9';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('the library against real registries', () => {
  let a: RegistryHandle;
  let b: RegistryHandle;
  let locked: RegistryHandle;
  let image: SeededImage;
  let home: Home;
  let env: { env: Home['env']; homedir: string };

  before(async () => {
    [a, b, locked] = await Promise.all([startRegistry(), startRegistry(), startRegistry({ auth: 'htpasswd', tls: true, users: { alice: PASSWORD } })]);
    image = await seedImage({ url: a.url }, 'lib/app', '1');
    await seedImage({ url: locked.url, ca: locked.caFile!, authHeader: `Basic ${b64(`alice:${PASSWORD}`)}` }, 'alice/app', '1');
    home = await makeHome({ registries: { [locked.host]: { ca: locked.caFile } } });
    env = { env: home.env, homedir: home.dir };
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop(), locked.stop()]);
    await home.cleanup();
  });

  test('a script that awaits copy() and digest() with no context gets its defaults from the process and exits by itself', async () => {
    const script = `
      import { copy, digest } from ${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)};
      const copied = await copy('${a.host}/lib/app:1', '${b.host}/mirror/app:1');
      console.log(copied.digest, await digest('${b.host}/mirror/app:1'));
    `;
    // No timer, no explicit exit: the child ends only if every socket the implicit contexts opened was closed.
    const r = await spawnCapture(process.execPath, ['--input-type=module', '-e', script], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${image.digest} ${image.digest}\n`);
  });

  test('credentials passed in: static, an authfile path, a lookup callback; without them, AuthError', async () => {
    const ref = `${locked.host}/alice/app:1`;
    await assert.rejects(digest(ref, env), (err) => err instanceof AuthError && err.exitCode === 4);
    const want = await digest(ref, { ...env, credentials: { creds: { username: 'alice', password: PASSWORD } } });
    assert.match(want, /^sha256:[0-9a-f]{64}$/);

    const authfile = join(home.dir, 'ci-auth.json');
    await writeFile(authfile, JSON.stringify({ auths: { [locked.host]: { auth: b64(`alice:${PASSWORD}`) } } }));
    assert.equal(await digest(ref, { ...env, credentials: { authfile } }), want);

    const asked: string[] = [];
    const lookup = (registry: string) => {
      asked.push(registry);
      return { username: 'alice', password: PASSWORD };
    };
    assert.deepEqual(await tags(`${locked.host}/alice/app`, { ...env, credentials: { lookup } }), ['1']);
    assert.deepEqual([...new Set(asked)], [locked.host]);

    await assert.rejects(digest(ref, { ...env, credentials: { anonymous: true, registryToken: 't' } }),
      (err) => err instanceof UsageError && /registryToken and anonymous cannot be used together/.test(err.message));
  });

  test('copy with per-side credentials, progress as events, and the result typed', async () => {
    const events: CopyProgress[] = [];
    const result = await copy(`${locked.host}/alice/app:1`, `${b.host}/from-locked/app:1`, {
      ...env,
      sourceCredentials: { creds: { username: 'alice', password: PASSWORD } },
      onProgress: (e) => events.push(e),
    });
    assert.equal(result.digest, await digest(`${b.host}/from-locked/app:1`, env));
    const plan = events.find((e) => e.kind === 'plan');
    assert.ok(plan && plan.kind === 'plan' && plan.blobs.length >= 2, 'a plan event lists the blobs first');
    const done = events.filter((e) => e.kind === 'blob').map((e) => (e.kind === 'blob' ? e.digest : ''));
    assert.deepEqual(new Set(done), new Set(plan.blobs.map((x) => x.digest)), 'one blob event per planned blob');
    assert.ok(events.indexOf(plan) < events.findIndex((e) => e.kind === 'blob'));
  });

  test('an AbortSignal cancels a copy: it rejects with CancelledError (the signal\'s reason its cause) and writes no manifest', async () => {
    const controller = new AbortController();
    const reason = new Error('stopped by the caller');
    const destination = `${b.host}/cancelled/app:1`;
    await assert.rejects(copy(`${a.host}/lib/app:1`, destination, {
      ...env,
      signal: controller.signal,
      onProgress: (e) => {
        if (e.kind === 'plan') controller.abort(reason);
      },
    }), (err) => err instanceof CancelledError && err.cause === reason && err.exitCode === 130);
    await assert.rejects(digest(destination, env), NotFoundError);
    const already = AbortSignal.abort(reason);
    await assert.rejects(digest(`${a.host}/lib/app:1`, { ...env, signal: already }), (err) => err instanceof CancelledError && err.cause === reason);
  });

  test('one context for several calls (kept open, closed by the caller); its signal per call', async () => {
    const context = await createContext(env);
    try {
      assert.equal(await digest(`${a.host}/lib/app:1`, { context }), image.digest);
      const result = await inspect(`${a.host}/lib/app:1`, { context });
      assert.equal(result.digest, image.digest);
      assert.ok(result.image && result.image.layers.length > 0);
      await assert.rejects(digest(`${a.host}/lib/app:1`, { context, signal: AbortSignal.abort(new Error('no')) }), (err) => err instanceof CancelledError && (err.cause as Error).message === 'no');
      assert.equal(await digest(`${a.host}/lib/app:1`, { context }), image.digest, 'a call\'s signal does not abort the context');
    } finally {
      await context.close();
    }
  });

  test('sync reports progress events (the total first, then each image) and a typed report', async () => {
    await seedImage({ url: a.url }, 'lib/app', '2');
    const events: SyncProgress[] = [];
    const report = await sync(`${a.host}/lib/app`, `${b.host}/synced/app`, { ...env, tags: '^[12]$', onProgress: (e) => events.push(e) });
    assert.equal(report.copied + report.skipped, 2);
    assert.deepEqual(report.images.map((i) => i.destination).sort(), [`${b.host}/synced/app:1`, `${b.host}/synced/app:2`]);
    assert.deepEqual(events[0], { kind: 'images', total: 2 });
    assert.equal(events.filter((e) => e.kind === 'image').length, 2);
    assert.deepEqual((await tags(`${b.host}/synced/app`, env)).sort(), ['1', '2']);
  });

  test('pull, tag, images, push, rmi and del through the local store', async () => {
    const pulled = await pull(`${a.host}/lib/app:1`, env);
    assert.equal(pulled.digest, image.digest);
    await tag(`${a.host}/lib/app:1`, `${b.host}/pushed/app:7`, env);
    assert.deepEqual((await images(`${b.host}/pushed/app`, env)).map((i) => i.name), [`${b.host}/pushed/app:7`]);
    const pushed = await push(`${b.host}/pushed/app:7`, env);
    assert.equal(await digest(`${b.host}/pushed/app:7`, env), pushed.digest);
    const removed = await rmi([`${b.host}/pushed/app:7`, 'nosuch:image'], env);
    assert.ok('result' in removed[0]! && removed[0].result.untagged.includes(`${b.host}/pushed/app:7`));
    assert.ok('error' in removed[1]! && removed[1].error instanceof NotFoundError);
    await tag(`${a.host}/lib/app:1`, `${b.host}/pushed/app:8`, env);
    await push(`${b.host}/pushed/app:8`, env);
    assert.deepEqual(await del(`${b.host}/pushed/app:8`, env), { kind: 'tag', untagged: { name: `${b.host}/pushed/app:8`, digest: pushed.digest, method: 'placeholder' } });
    assert.equal(await digest(`${b.host}/pushed/app:7`, env), pushed.digest, 'deleting one tag keeps its siblings');
    assert.deepEqual(await del(`${b.host}/pushed/app@${pushed.digest}`, env), { kind: 'manifest', digest: pushed.digest, tags: ['7'] });
    await assert.rejects(digest(`${b.host}/pushed/app@${pushed.digest}`, env), NotFoundError);
  });
});

describe('the package entry points', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regctl-imports-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // A resolve hook that records every module loaded after it is registered; the child prints them at exit.
  const loadedBy = async (specifier: string): Promise<string[]> => {
    const hooks = join(dir, 'hooks.mjs');
    await writeFile(hooks, `export async function resolve(s, c, next) { const r = await next(s, c); globalThis.port?.postMessage(r.url); return r; }
export function initialize(data) { globalThis.port = data.port; }`);
    const script = `
      import { register } from 'node:module';
      import { MessageChannel } from 'node:worker_threads';
      const { port1, port2 } = new MessageChannel();
      const seen = [];
      port1.on('message', (u) => seen.push(u));
      port1.unref();
      register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { port: port2 }, transferList: [port2] });
      const mod = await import(${JSON.stringify(specifier)});
      await new Promise((r) => setTimeout(r, 50));
      console.log(JSON.stringify({ exports: Object.keys(mod), seen }));
    `;
    const r = await spawnCapture(process.execPath, ['--input-type=module', '-e', script], { PATH: process.env.PATH });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { exports: string[]; seen: string[] };
    return [...out.exports.map((e) => `export:${e}`), ...out.seen];
  };

  test('importing the main entry loads none of commander, chalk, ora, cli-table3, and has no run()', async () => {
    const loaded = await loadedBy(pathToFileURL(join(DIST, 'index.js')).href);
    assert.ok(loaded.includes('export:copy') && loaded.includes('export:digest'), 'the entry was loaded');
    assert.ok(loaded.some((u) => u.endsWith('/dist/api/context.js')), 'the hook saw the library\'s own modules');
    const cliModules = loaded.filter((u) => /node_modules\/(commander|@commander-js|chalk|ora|cli-table3)\/|\/dist\/(cli|commands\/)/.test(u));
    assert.deepEqual(cliModules, []);
    assert.ok(!loaded.includes('export:run'));
  });

  test('the CLI is the subpath /cli: run() is there', async () => {
    const loaded = await loadedBy(pathToFileURL(join(DIST, 'cli.js')).href);
    assert.ok(loaded.includes('export:run'));
  });
});

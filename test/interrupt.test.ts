import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runBin, type Home } from './helpers/run-cli.js';
import { seedImage, tarLayer } from './helpers/seed.js';

const BIN = resolve(import.meta.dirname, '../bin/regctl.cjs');
const BIG = 4 * 1024 * 1024;
const SENT_BEFORE_STOP = 1024 * 1024;

/** Every file under the store's blobs/ and .leases/ whose name starts with a dot. */
async function leftovers(store: string): Promise<{ temps: string[]; partials: string[]; leases: string[] }> {
  const blobs = await readdir(join(store, 'blobs', 'sha256')).catch(() => [] as string[]);
  return {
    temps: blobs.filter((n) => n.startsWith('.tmp-')),
    partials: blobs.filter((n) => n.startsWith('.partial-')),
    leases: await readdir(join(store, '.leases')).catch(() => [] as string[]),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('interrupted and concurrent transfers: Ctrl-C, kill -9, parallel pulls, resume', () => {
  let reg: RegistryHandle;
  let proxy: ProxyHandle;
  let stall = false;
  let layerDigest: string;
  let layerSize: number;
  const name = () => `${proxy.host}/t/big:1`;

  before(async () => {
    reg = await startRegistry();
    const img = await seedImage({ url: reg.url }, 't/big', '1', { layers: [tarLayer({ 'big.bin': randomBytes(BIG) })] });
    const layer = JSON.parse(img.manifest.toString()).layers[0] as { digest: string; size: number };
    layerDigest = layer.digest;
    layerSize = layer.size;
    proxy = await startProxy(reg.url, {
      fault: (method, url) => (stall && method === 'GET' && url.pathname.endsWith(`/blobs/${layerDigest}`) ? { stallAfter: SENT_BEFORE_STOP } : undefined),
    });
  });
  after(async () => {
    await proxy.stop();
    await reg.stop();
  });

  /** Starts `regctl pull` with the layer stalling after SENT_BEFORE_STOP bytes; resolves once those bytes are on disk. */
  async function stalledPull(home: Home, store: string): Promise<{ child: ReturnType<typeof spawn>; exited: Promise<number | string> }> {
    stall = true;
    const child = spawn(process.execPath, [BIN, 'pull', '-q', name()], { env: home.env as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c));
    const exited = new Promise<number | string>((r) => child.on('exit', (code, signal) => r(code ?? signal ?? -1)));
    await until(`${SENT_BEFORE_STOP} bytes in a temp file (${stderr})`, async () => {
      const { temps } = await leftovers(store);
      for (const t of temps) {
        const st = await stat(join(store, 'blobs', 'sha256', t)).catch(() => undefined);
        if (st?.size === SENT_BEFORE_STOP) return true;
      }
      return undefined;
    });
    stall = false;
    return { child, exited };
  }

  async function freshHome(): Promise<{ home: Home; store: string }> {
    const home = await makeHome();
    const store = join(home.dir, 'store');
    home.env.REGCTL_STORE = store;
    return { home, store };
  }

  /** Pulls again and returns how many bytes of the layer the registry sent for it. */
  async function rerun(home: Home): Promise<number> {
    const path = `/v2/t/big/blobs/${layerDigest}`;
    const before = proxy.bytesSent.get(path) ?? 0;
    const r = await runBin(['pull', '-q', name()], home.env);
    assert.equal(r.code, 0, r.stderr);
    return (proxy.bytesSent.get(path) ?? 0) - before;
  }

  test('Ctrl-C during pull leaves no temp file or lease, and the rerun downloads only what was missing', async () => {
    const { home, store } = await freshHome();
    try {
      const { child, exited } = await stalledPull(home, store);
      child.kill('SIGINT');
      assert.equal(await exited, 130);
      const left = await leftovers(store);
      assert.deepEqual(left.temps, [], 'no temp file');
      assert.deepEqual(left.leases, [], 'no lease');
      // (the small config may have been on its way too on a loaded machine: its partial is resumed the same way)
      assert.ok(left.partials.includes(`.partial-${layerDigest.slice(7)}`), `the partial download is kept for the next run: ${left.partials.join(', ')}`);
      assert.equal(await rerun(home), layerSize - SENT_BEFORE_STOP, 'only the missing bytes were downloaded');
      assert.deepEqual(await leftovers(store), { temps: [], partials: [], leases: [] });
      const blob = await stat(join(store, 'blobs', 'sha256', layerDigest.slice(7)));
      assert.equal(blob.size, layerSize);
    } finally {
      await home.cleanup();
    }
  });

  test('after kill -9, the next run removes the dead process\'s temp file and lease at once and resumes its download', async () => {
    const { home, store } = await freshHome();
    try {
      const { child, exited } = await stalledPull(home, store);
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
      const killed = await leftovers(store);
      // The stalled layer's temp file at least (on a loaded machine the small config may still be in flight too).
      assert.ok(killed.temps.some((t) => t.startsWith(`.tmp-${layerDigest.slice(7)}`)), `kill -9 leaves its temp file: ${killed.temps.join(', ')}`);
      assert.equal(killed.leases.length, 1, 'and its lease');
      const images = await runBin(['images', '-q'], home.env); // any later run, not only a pull
      assert.equal(images.code, 0, images.stderr);
      const swept = await leftovers(store);
      assert.deepEqual(swept.temps, []);
      assert.deepEqual(swept.leases, []);
      // (the config's partial too when it was still in flight, as above: the next download resumes both)
      assert.ok(swept.partials.includes(`.partial-${layerDigest.slice(7)}`), `the temp file became a partial: ${swept.partials.join(', ')}`);
      assert.equal(await rerun(home), layerSize - SENT_BEFORE_STOP, 'only the missing bytes were downloaded');
      assert.deepEqual(await leftovers(store), { temps: [], partials: [], leases: [] });
    } finally {
      await home.cleanup();
    }
  });

  test('a partial that does not match the blob is thrown away and the blob downloaded whole', async () => {
    const { home, store } = await freshHome();
    try {
      assert.equal((await runBin(['images'], home.env)).code, 0); // makes the store
      await writeFile(join(store, 'blobs', 'sha256', `.partial-${layerDigest.slice(7)}`), randomBytes(1000));
      const r = await runBin(['pull', '-q', name()], home.env);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await leftovers(store), { temps: [], partials: [], leases: [] });
      assert.equal((await stat(join(store, 'blobs', 'sha256', layerDigest.slice(7)))).size, layerSize);
    } finally {
      await home.cleanup();
    }
  });

  test('Ctrl-C during save -o removes the half-written tarball', async () => {
    const { home, store } = await freshHome();
    const out = join(home.dir, 'out');
    await mkdir(out);
    try {
      stall = true;
      const child = spawn(process.execPath, [BIN, 'save', '-q', '-o', join(out, 'x.tar'), name()], { env: home.env as NodeJS.ProcessEnv, stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await until('the tarball to grow', async () => {
        for (const n of await readdir(out)) if ((await stat(join(out, n))).size > SENT_BEFORE_STOP / 2) return true;
        return undefined;
      });
      stall = false;
      child.kill('SIGTERM');
      assert.equal(await exited, 143);
      assert.deepEqual(await readdir(out), []);
      assert.deepEqual((await leftovers(store)).leases, []);
    } finally {
      stall = false;
      await home.cleanup();
    }
  });

  test('six parallel pulls into a new, empty store all succeed', async () => {
    const { home, store } = await freshHome();
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => runBin(['pull', '-q', name()], home.env)));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const images = await runBin(['images', '--format', 'json'], home.env);
      assert.deepEqual(JSON.parse(images.stdout).map((i: { name: string }) => i.name), [name()]);
      assert.deepEqual(await leftovers(store), { temps: [], partials: [], leases: [] });
    } finally {
      await home.cleanup();
    }
  });
});

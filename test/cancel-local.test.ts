// Cancellation of local work through the library (src/index.ts): load, save from the store, export, append of a
// directory and copies between local transports stop soon after the signal and leave nothing half-written (no
// output file, no temp file, no scratch directory, the store as it was).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { append, copy, exportImage, images, load, save, SCRATCH } from '../src/index.js';
import { makeHome, type Home } from './helpers/run-cli.js';

/** From abort() to the rejection: 100 ms is the aim; a loaded 2-core machine is allowed a little more. */
const LIMIT_MS = 150;

/** A directory of `files` files: text that gzip shrinks, and every fourth file random bytes it cannot. */
async function makeTree(dir: string, files: number): Promise<void> {
  for (let d = 0; d < files / 100; d++) {
    const sub = join(dir, `d${d}`);
    await mkdir(sub, { recursive: true });
    await Promise.all(Array.from({ length: 100 }, (_, f) => writeFile(join(sub, `f${f}`),
      f % 4 === 0 ? randomBytes(32 * 1024) : `line ${d}/${f}\n`.repeat(400 + f * 10))));
  }
}

interface Stopped {
  err: unknown;
  /** From abort() to the rejection. */
  ms: number;
}

/**
 * Runs an operation with a signal and aborts it once it is working: when `run` calls `stop` (from a progress event),
 * or after `afterMs`. Fails when the operation finishes (or fails) before it was stopped.
 */
async function cancel(run: (signal: AbortSignal, stop: () => void) => Promise<unknown>, afterMs?: number): Promise<Stopped> {
  const controller = new AbortController();
  let stoppedAt: number | undefined;
  const stop = () => {
    if (stoppedAt !== undefined) return;
    stoppedAt = performance.now();
    controller.abort();
  };
  const timer = afterMs === undefined ? undefined : setTimeout(stop, afterMs);
  try {
    await run(controller.signal, stop);
  } catch (err) {
    if (stoppedAt === undefined) throw err;
    return { err, ms: performance.now() - stoppedAt };
  } finally {
    clearTimeout(timer);
  }
  return assert.fail(stoppedAt === undefined
    ? 'the operation finished before it was cancelled: give it more work'
    : `the operation finished ${Math.round(performance.now() - stoppedAt)} ms after the signal instead of stopping`);
}

/** Warnings the process emitted (a listener per blob on the caller's signal would raise MaxListenersExceededWarning). */
const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

/** A cancellation (what the library's door reports as CancelledError), reported within the limit, with no warning. */
function assertCancelled({ err, ms }: Stopped): void {
  assert.equal((err as { code?: string }).code, 'ERR_CANCELLED', `not a cancellation: ${(err as Error)?.stack ?? String(err)}`);
  assert.ok(ms < LIMIT_MS, `rejected ${Math.round(ms)} ms after the signal (limit ${LIMIT_MS} ms)`);
  assert.deepEqual(warnings, []);
}

/** The files under a directory, recursively (none when it is empty or absent). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) if (!e.isDirectory()) out.push(join(e.parentPath, e.name));
  return out.sort();
}

describe('cancelling local work: it stops soon after the signal and leaves nothing half-written', () => {
  let T: string;
  let home: Home;
  let scratch: string;
  let env: { env: Home['env']; homedir: string };
  let tree: string;
  let layout: string;
  let archive: string;
  const stored = 'cancel/big:1';

  /** The store as a user sees it (its images) and as it is on disk (index.json), plus leftovers in its blobs. */
  async function storeState(storeEnv = env): Promise<{ images: string[]; index: string; temps: string[]; leases: string[] }> {
    const dir = storeEnv.env.REGCTL_STORE ?? join(home.dir, '.local', 'share', 'regctl', 'store');
    return {
      images: (await images(undefined, storeEnv)).map((i) => `${i.name} ${i.digest}`),
      index: await readFile(join(dir, 'index.json'), 'utf8').catch(() => ''),
      temps: (await readdir(join(dir, 'blobs', 'sha256')).catch(() => [] as string[])).filter((n) => n.startsWith('.tmp-')),
      leases: await readdir(join(dir, '.leases')).catch(() => [] as string[]),
    };
  }

  /** The big image's filesystem exported to `path`. */
  const exportTo = (path: string, options: object) => exportImage(`oci:${layout}:v1`, path, { ...env, ...options });

  async function assertNoScratch(): Promise<void> {
    assert.deepEqual(await readdir(scratch), [], 'scratch directories are removed');
  }

  before(async () => {
    T = await mkdtemp(join(tmpdir(), 'regctl-cancel-'));
    scratch = join(T, 'tmp');
    await mkdir(scratch);
    home = await makeHome(undefined, { TMPDIR: scratch });
    env = { env: home.env, homedir: home.dir };
    tree = join(T, 'tree');
    await makeTree(tree, 3000);
    const big = join(T, 'big');
    await mkdir(big);
    await writeFile(join(big, 'random.bin'), randomBytes(48 * 1024 * 1024));
    layout = join(T, 'layout');
    await append(SCRATCH, { ...env, layers: [{ dir: tree }, { dir: big }], to: `oci:${layout}:v1` });
    await copy(`oci:${layout}:v1`, `local:${stored}`, env);
    archive = join(T, 'big.tar');
    await save(stored, archive, env);
  });
  after(async () => {
    await rm(T, { recursive: true, force: true });
    await home.cleanup();
  });

  test('load of a big archive file, stopped while the archive is read: nothing reaches the store', async () => {
    const storeEnv = { env: { ...home.env, REGCTL_STORE: join(T, 'load-store-1') }, homedir: home.dir };
    const before = await storeState(storeEnv);
    assertCancelled(await cancel((signal) => load(archive, { ...storeEnv, signal }), 150));
    assert.deepEqual(await storeState(storeEnv), before);
    await assertNoScratch();
  });

  test('load, stopped while blobs are written into the store: no image, no temp file, no lease', async () => {
    const storeEnv = { env: { ...home.env, REGCTL_STORE: join(T, 'load-store-2') }, homedir: home.dir };
    const before = await storeState(storeEnv);
    assertCancelled(await cancel((signal, stop) => load(archive, { ...storeEnv, signal, onProgress: (e) => e.kind === 'bytes' && stop() })));
    assert.deepEqual(await storeState(storeEnv), before);
    await assertNoScratch();
  });

  test('save from the store to a file: no archive and no temp file beside it', async () => {
    const out = join(T, 'save-out');
    await mkdir(out);
    const before = await storeState();
    assertCancelled(await cancel((signal, stop) => save(stored, join(out, 'x.tar'), { ...env, signal, onProgress: (e) => e.kind === 'bytes' && stop() })));
    assert.deepEqual(await filesUnder(out), []);
    assert.deepEqual(await storeState(), before);
  });

  test('export to a file, stopped while the tar is written: no file and no temp file', async () => {
    const out = join(T, 'export-out');
    await mkdir(out);
    const stopped = await cancel(async (signal, stop) => {
      const watch = setInterval(() => void readdir(out).then((names) => names.length > 0 && stop()), 5);
      try {
        await exportTo(join(out, 'fs.tar'), { signal });
      } finally {
        clearInterval(watch);
      }
    });
    assertCancelled(stopped);
    assert.deepEqual(await filesUnder(out), []);
    await assertNoScratch();
  });

  test('export, stopped while the layers are merged (before any output)', async () => {
    const out = join(T, 'export-early');
    await mkdir(out);
    assertCancelled(await cancel((signal) => exportTo(join(out, 'fs.tar'), { signal }), 60));
    assert.deepEqual(await filesUnder(out), []);
    await assertNoScratch();
  });

  test('append of a big directory, stopped while it is walked and compressed (gzip, zstd): no image written, no layer left', async () => {
    for (const compress of ['gzip', 'zstd'] as const) {
      const dst = join(T, `append-${compress}`);
      assertCancelled(await cancel((signal) => append(SCRATCH, { ...env, signal, compress, layers: [{ dir: tree }], to: `oci:${dst}:v1` }), 150));
      assert.equal(existsSync(dst), false, 'the layout the append would have created is not there');
      await assertNoScratch();
    }
  });

  test('copy oci:DIR → docker-archive:FILE: no archive and no temp file', async () => {
    const out = join(T, 'copy-archive');
    await mkdir(out);
    assertCancelled(await cancel((signal, stop) =>
      copy(`oci:${layout}:v1`, `docker-archive:${join(out, 'x.tar')}`, { ...env, signal, onProgress: (e) => e.kind === 'bytes' && stop() })));
    assert.deepEqual(await filesUnder(out), []);
    await assertNoScratch();
  });

  test('copy local store → oci:DIR: the layout is not created, the store is as it was', async () => {
    const dst = join(T, 'copy-layout');
    const before = await storeState();
    assertCancelled(await cancel((signal, stop) => copy(`local:${stored}`, `oci:${dst}:v1`, { ...env, signal, onProgress: (e) => e.kind === 'bytes' && stop() })));
    assert.equal(existsSync(dst), false);
    assert.deepEqual(await storeState(), before);
  });

  test('copy docker-archive:FILE → local store, stopped while the archive is read', async () => {
    const storeEnv = { env: { ...home.env, REGCTL_STORE: join(T, 'copy-store') }, homedir: home.dir };
    const before = await storeState(storeEnv);
    assertCancelled(await cancel((signal) => copy(`docker-archive:${archive}`, `local:${stored}`, { ...storeEnv, signal }), 150));
    assert.deepEqual(await storeState(storeEnv), before);
    await assertNoScratch();
  });

  test('a time limit stops local work as a time-out, not a cancellation: AbortSignal.timeout() and timeoutMs', async () => {
    const out = join(T, 'timeout-out');
    await mkdir(out);
    const exported = (options: object) => exportTo(join(out, 'fs.tar'), options)
      .then(() => assert.fail('export finished within its time limit'), (e: unknown) => e);
    const timedOut = async (err: unknown) => {
      assert.equal((err as { code?: string }).code, 'ERR_TIMEOUT', `not a time-out: ${(err as Error)?.stack ?? String(err)}`);
      assert.deepEqual(await filesUnder(out), []);
      await assertNoScratch();
    };
    const signal = AbortSignal.timeout(300);
    let firedAt = 0;
    signal.addEventListener('abort', () => (firedAt = performance.now()));
    await timedOut(await exported({ signal }));
    const late = performance.now() - firedAt;
    assert.ok(late < LIMIT_MS, `rejected ${Math.round(late)} ms after the time limit ran out (limit ${LIMIT_MS} ms)`);
    // timeoutMs: the context's own deadline, which the caller cannot watch: it ends the export all the same.
    await timedOut(await exported({ timeoutMs: 300 }));
  });
});

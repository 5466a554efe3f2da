// The package as npm publishes it, for the tests that install it: the tarball of the dist/ scripts/test.sh built.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import { spawnCapture } from './run-cli.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; engines: { node: string } };

/** `npm pack` (no lifecycle scripts) into `dir`; returns the tarball's path. */
export async function packInto(dir: string): Promise<string> {
  const out = join(dir, 'pack');
  await mkdir(out, { recursive: true });
  const r = await spawnCapture('sh', ['-c', 'cd "$0" && exec npm pack --ignore-scripts --silent --pack-destination "$1"', REPO, out], { ...process.env });
  assert.equal(r.code, 0, r.stderr);
  return join(out, r.stdout.trim().split('\n').at(-1)!);
}

/**
 * `npm install ARGS` in `cwd`, offline: every dependency from npm's cache, the package from its tarball. `npm ci`
 * caches the dependencies' tarballs but not always their registry metadata, which resolving `^` ranges needs:
 * where that is missing (ENOTCACHED, a fresh machine) npm may fetch only the metadata (--prefer-offline).
 */
export async function npmInstall(args: string[], cwd: string): Promise<void> {
  const install = (mode: string) => spawnCapture('sh', ['-c', `cd "$0" && exec npm install ${mode} --no-audit --no-fund --loglevel=error "$@"`, cwd, ...args], { ...process.env });
  let r = await install('--offline');
  if (r.code !== 0 && /ENOTCACHED/.test(r.stderr)) r = await install('--prefer-offline');
  assert.equal(r.code, 0, `npm install ${args.join(' ')}: ${r.stderr}`);
}

const STALE_MS = 60 * 60 * 1000;
const LOCK_POLL_MS = 250;
const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Runs `fn` holding `lock` (a file naming its holder's pid); a lock whose process is gone is taken over. */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(await readFile(lock, 'utf8').catch(() => ''));
      if (holder && !alive(holder)) await rm(lock, { force: true });
      else await sleep(LOCK_POLL_MS);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * `.tmp/KIND/KEY` (ignored by git), filled by `fill(dir)` the first time and kept, so test files (each in its own
 * process) and later runs share it. One process fills it while the others wait (a lock file); the folder appears
 * whole or not at all (filled under a temporary name, then renamed). Other keys of the same kind (an older tarball,
 * another Node) and temporary folders of crashed runs are removed.
 */
export async function installOnce(kind: string, key: string, fill: (dir: string) => Promise<void>): Promise<string> {
  const root = join(REPO, '.tmp', kind);
  const done = join(root, key);
  if (await exists(done)) return done;
  await mkdir(root, { recursive: true });
  return withLock(join(root, `${key}.lock`), async () => {
    if (await exists(done)) return done;
    const work = await mkdtemp(join(root, 'tmp-'));
    try {
      await fill(work);
      await rename(work, done);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    for (const name of await readdir(root)) {
      const path = join(root, name);
      const stale = name.startsWith('tmp-') ? Date.now() - (await stat(path)).mtimeMs > STALE_MS : name !== key && !name.endsWith('.lock');
      if (stale) await rm(path, { recursive: true, force: true });
    }
    return done;
  });
}

/** The lowest Node `engines` allows (`>=X.Y.Z`). */
export function lowestNode(): string {
  const lowest = /^>=(\d+\.\d+\.\d+)$/.exec(pkg.engines.node)?.[1];
  assert.ok(lowest, `package.json engines.node is ${pkg.engines.node}: the tests want >=X.Y.Z`);
  return lowest;
}

/**
 * The `node` binary of a Node version, from the npm registry (`node-PLATFORM-ARCH@VERSION`, the official binaries
 * as an npm package; npm caches its tarball), installed once into .tmp/node.
 */
export async function nodeBinary(version: string): Promise<string> {
  const name = `node-${process.platform}-${process.arch}`;
  const dir = await installOnce('node', `${name}-${version}`, (work) => npmInstall(['--prefix', work, `${name}@${version}`], work));
  return join(dir, 'node_modules', name, 'bin', 'node');
}

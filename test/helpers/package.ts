// The package as npm publishes it, for the tests that install it: the tarball of the dist/ scripts/test.sh built.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { spawnCapture } from './run-cli.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };

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

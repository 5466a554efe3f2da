// regctl as a user installs it: the tarball of the dist/ scripts/test.sh built, installed with `npm install -g
// --prefix` (offline, from npm's cache) and run as that prefix's bin/regctl: the launcher, its bundle and code
// caches, its optional dependencies. Built once per test run and shared by every test file (each runs in its own
// process): the install is kept under .tmp/installed/ named by the tarball's sha256, so a file finds the install
// another made of the same tarball, and a rebuild (another tarball) installs afresh and drops the older ones.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { npmInstall, packInto, REPO } from './package.js';
import { spawnCapture, type CliResult, type TestEnv } from './run-cli.js';

const CACHE = join(REPO, '.tmp', 'installed');

export interface Installed {
  /** The npm prefix the package is installed into. */
  prefix: string;
  /** The tarball it was installed from. */
  tarball: string;
  /** `PREFIX/bin/regctl`, the symlink npm makes to the package's launcher. */
  bin: string;
  /** The installed package's folder (PREFIX/lib/node_modules/@regctl-js/regctl). */
  packageDir: string;
}

const exists = (path: string): Promise<boolean> => stat(path).then(() => true, () => false);

async function install(): Promise<Installed> {
  await mkdir(CACHE, { recursive: true });
  const work = await mkdtemp(join(CACHE, 'tmp-'));
  const tarball = await packInto(work);
  const id = createHash('sha256').update(await readFile(tarball)).digest('hex').slice(0, 16);
  const done = join(CACHE, id);
  if (await exists(join(done, 'prefix', 'bin', 'regctl'))) {
    await rm(work, { recursive: true, force: true });
  } else {
    await npmInstall(['-g', '--prefix', join(work, 'prefix'), tarball], work);
    // npm's bin links are relative, so the finished install moves in one rename; another test file that got there
    // first (ENOTEMPTY) installed the same tarball.
    try {
      await rename(work, done);
    } catch (err) {
      if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      await rm(work, { recursive: true, force: true });
    }
    for (const old of await readdir(CACHE)) {
      if (old !== id && !old.startsWith('tmp-')) await rm(join(CACHE, old), { recursive: true, force: true });
    }
  }
  const prefix = join(done, 'prefix');
  const packed = (await readdir(join(done, 'pack'))).find((f) => f.endsWith('.tgz'))!;
  return { prefix, tarball: join(done, 'pack', packed), bin: join(prefix, 'bin', 'regctl'), packageDir: join(prefix, 'lib', 'node_modules', '@regctl-js', 'regctl') };
}

let installing: Promise<Installed> | undefined;

/** The package installed from its tarball (packed and installed on the first call of the test run). */
export function installed(): Promise<Installed> {
  return (installing ??= install());
}

/** Runs the installed `regctl` (its bin/regctl, through the launcher's shebang) with `env`, feeding `stdin`. */
export async function runInstalled(args: string[], env: TestEnv, stdin = ''): Promise<CliResult> {
  return spawnCapture((await installed()).bin, args, env, stdin);
}

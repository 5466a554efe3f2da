// regctl as a user installs it: the tarball of the dist/ scripts/test.sh built, installed with `npm install -g
// --prefix` (offline, from npm's cache) and run as that prefix's bin/regctl: the launcher, its bundle and code
// caches, its optional dependencies. Installed once and shared by every test file (each runs in its own process):
// kept as .tmp/package/SHA256 of the tarball (helpers/package.ts installOnce), so a file finds the install another
// made of the same tarball, and a rebuild (another tarball) installs afresh.
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { installOnce, npmInstall, packInto } from './package.js';
import { spawnCapture, type CliResult, type TestEnv } from './run-cli.js';

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

async function install(): Promise<Installed> {
  const scratch = await mkdtemp(join(tmpdir(), 'regctl-pack-'));
  try {
    const packed = await packInto(scratch);
    const tarball = basename(packed);
    const id = createHash('sha256').update(await readFile(packed)).digest('hex').slice(0, 16);
    // npm's bin links are relative, so the finished install may move to its place
    const dir = await installOnce('package', id, async (work) => {
      await copyFile(packed, join(work, tarball));
      await npmInstall(['-g', '--prefix', join(work, 'prefix'), join(work, tarball)], work);
    });
    const prefix = join(dir, 'prefix');
    return { prefix, tarball: join(dir, tarball), bin: join(prefix, 'bin', 'regctl'), packageDir: join(prefix, 'lib', 'node_modules', '@regctl-js', 'regctl') };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
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

// Errors that used to be swallowed into wrong answers: a store file or a certs.d folder that cannot be read is a
// failure naming the path, not a size of 0 or a registry trusted without its CA. Root reads everything, so regctl
// runs here as the unprivileged user nobody (setpriv) on files it may not read.
import assert from 'node:assert/strict';
import { chmod, chown, cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, spawnCapture, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const ROOT = resolve(import.meta.dirname, '..');
const NOBODY = 65534;
/** The built CLI, copied where nobody can reach it (the checkout may sit below a folder only root can enter). */
let bin: string;

/** Runs the built CLI as nobody. */
const asNobody = (args: string[], home: Home) =>
  spawnCapture('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, bin, ...args], home.env);

async function chownTree(path: string): Promise<void> {
  await chown(path, NOBODY, NOBODY);
  for (const e of await readdir(path, { withFileTypes: true, recursive: true })) await chown(join(e.parentPath, e.name), NOBODY, NOBODY);
}

describe('unreadable files are errors, not wrong answers', () => {
  let reg: RegistryHandle;
  let image: SeededImage;
  let home: Home;

  before(async () => {
    reg = await startRegistry();
    image = await seedImage({ url: reg.url }, 'perm/app', '1');
    const copy = await mkdtemp(join(tmpdir(), 'regctl-cli-'));
    await chmod(copy, 0o755);
    await cp(join(ROOT, 'bin/regctl.cjs'), join(copy, 'bin/regctl.cjs'));
    await cp(join(ROOT, 'dist/bundle'), join(copy, 'dist/bundle'), { recursive: true, preserveTimestamps: true });
    bin = join(copy, 'bin/regctl.cjs');
  });
  after(async () => {
    await reg.stop();
    await rm(resolve(bin, '../..'), { recursive: true, force: true });
  });

  test('images: a manifest the store cannot read (EACCES) fails naming it, instead of listing size 0', async () => {
    home = await makeHome();
    try {
      const pulled = await runCli(['pull', '-q', `${reg.host}/perm/app:1`], home.env);
      assert.equal(pulled.code, 0, pulled.stderr);
      await chownTree(home.dir);
      const listed = await asNobody(['images', '--format', 'json'], home);
      assert.equal(listed.code, 0, listed.stderr);
      assert.ok(JSON.parse(listed.stdout)[0].size > 0, 'readable: the real size');

      const blob = join(home.dir, '.local/share/regctl/store/blobs/sha256', image.digest.slice('sha256:'.length));
      await chmod(blob, 0);
      const r = await asNobody(['images'], home);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`regctl: cannot open ${blob}: permission denied`));
      assert.equal(r.stdout, '', 'no table with a made-up size');
    } finally {
      await home.cleanup();
    }
  });

  test('a certs.d folder for the registry that cannot be read fails (exit 1) instead of being skipped', async () => {
    home = await makeHome();
    try {
      await chownTree(home.dir);
      const ok = await asNobody(['digest', `${reg.host}/perm/app:1`], home);
      assert.equal(ok.code, 0, ok.stderr);
      const hostDir = join(home.dir, '.config/containers/certs.d', reg.host);
      await mkdir(hostDir, { recursive: true, mode: 0o755 });
      await chmod(hostDir, 0); // owned by root: nobody may not list the CAs in it
      const r = await asNobody(['digest', `${reg.host}/perm/app:1`], home);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`cannot read certificate directory ${hostDir}: .*permission denied`));
    } finally {
      await home.cleanup();
    }
  });
});

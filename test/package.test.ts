// The package as npm publishes it: `npm pack`, publint and @arethetypeswrong/cli on the tarball, and the tarball
// installed globally (offline, from npm's cache) gives a working `regctl` on PATH. (package-consumer.test.ts
// installs it as a dependency.)
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { npmInstall, packInto, pkg, REPO } from './helpers/package.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, spawnCapture, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

describe('the packed package', () => {
  let dir: string;
  let tarball: Promise<string> | undefined;
  let reg: RegistryHandle;
  let image: SeededImage;
  let home: Home;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regctl-package-'));
    reg = await startRegistry();
    image = await seedImage({ url: reg.url }, 'pkg/app', '1');
    home = await makeHome();
  });
  after(async () => {
    await Promise.all([reg.stop(), home.cleanup()]);
    await rm(dir, { recursive: true, force: true });
  });
  const pack = () => (tarball ??= packInto(dir));

  test('publint and @arethetypeswrong/cli find no problem in the tarball', async () => {
    const r = await spawnCapture('bash', [join(REPO, 'scripts/check-package.sh'), await pack()], { ...process.env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All good!/);
    assert.match(r.stdout, /"@regctl-js\/regctl\/cli"/);
  });

  test('npm install -g of the tarball puts a working regctl on PATH', async () => {
    const prefix = join(dir, 'global');
    await npmInstall(['-g', '--prefix', prefix, await pack()], dir);
    const env = { ...home.env, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    const version = await spawnCapture('regctl', ['--version'], env);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, new RegExp(`^regctl version ${pkg.version.replace(/\./g, '\\.')}\n`));
    const digest = await spawnCapture('regctl', ['digest', `${reg.host}/pkg/app:1`], env);
    assert.equal(digest.code, 0, digest.stderr);
    assert.equal(digest.stdout, `${image.digest}\n`);
    const bad = await spawnCapture('regctl', ['digest', 'Not/A/Ref'], env);
    assert.equal(bad.code, 2, 'exit codes survive the install');
  });
});

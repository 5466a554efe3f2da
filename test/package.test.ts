// The package as npm publishes it: publint and @arethetypeswrong/cli on the tarball, and the tarball installed
// globally (test/helpers/installed.ts) gives a working `regctl` on PATH. (package-consumer.test.ts installs it as a
// dependency; installed.test.ts runs every command through the installed regctl.)
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { installed } from './helpers/installed.js';
import { pkg, REPO } from './helpers/package.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, spawnCapture, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

describe('the packed package', () => {
  let reg: RegistryHandle;
  let image: SeededImage;
  let home: Home;

  before(async () => {
    reg = await startRegistry();
    image = await seedImage({ url: reg.url }, 'pkg/app', '1');
    home = await makeHome();
  });
  after(async () => {
    await Promise.all([reg.stop(), home.cleanup()]);
  });

  test('publint and @arethetypeswrong/cli find no problem in the tarball', async () => {
    const r = await spawnCapture('bash', [join(REPO, 'scripts/check-package.sh'), (await installed()).tarball], { ...process.env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All good!/);
    assert.match(r.stdout, /"@regctl-js\/regctl\/cli"/);
  });

  test('npm install -g of the tarball puts a working regctl on PATH', async () => {
    const env = { ...home.env, PATH: `${join((await installed()).prefix, 'bin')}:${process.env.PATH}` };
    const version = await spawnCapture('regctl', ['--version'], env);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.split('\n')[0], `regctl version ${pkg.version}`);
    const digest = await spawnCapture('regctl', ['digest', `${reg.host}/pkg/app:1`], env);
    assert.equal(digest.code, 0, digest.stderr);
    assert.equal(digest.stdout, `${image.digest}\n`);
    const bad = await spawnCapture('regctl', ['digest', 'Not/A/Ref'], env);
    assert.equal(bad.code, 2, 'exit codes survive the install');
  });
});

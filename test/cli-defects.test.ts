import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedArtifact, seedImage, tarLayer } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../bin/regctl.cjs');

describe('defects new users hit: output paths, broken pipes, config keys, non-tar input, artifacts', () => {
  let reg: RegistryHandle;
  let proxy: ProxyHandle;
  let home: Home;
  const cli = (...args: string[]) => runCli(args, home.env);

  before(async () => {
    reg = await startRegistry();
    proxy = await startProxy(reg.url);
    home = await makeHome();
    home.env.REGCTL_STORE = join(home.dir, 'store');
    await seedImage({ url: reg.url }, 't/big', '1', { layers: [tarLayer({ 'big.bin': randomBytes(1024 * 1024) })] });
  });
  after(async () => {
    await proxy.stop();
    await reg.stop();
    await home.cleanup();
  });

  test('save -o DIR and -o /missing/dir/x.tar fail with exit 2 and a plain message before any download', async () => {
    const dir = join(home.dir, 'outdir');
    await mkdir(dir);
    const before = proxy.requests.length;
    const r = await cli('save', '-o', dir, `${proxy.host}/t/big:1`);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^regctl: -o .*outdir is a directory; give the file to write$/m);
    assert.doesNotMatch(r.stderr, /internal error|EISDIR/);
    const missing = await cli('save', '-o', '/missing/dir/x.tar', `${proxy.host}/t/big:1`);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^regctl: -o \/missing\/dir\/x\.tar: the directory \/missing\/dir does not exist$/m);
    assert.equal(proxy.requests.length, before, 'nothing was asked of the registry');
    assert.deepEqual(await readdir(dir), []);
  });

  test('save IMG | head -c 100 is a failure (broken pipe), not exit 0', async () => {
    const { stdout } = await execFileAsync('bash', ['-c', `"${process.execPath}" "${BIN}" save ${reg.host}/t/big:1 | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      env: home.env as NodeJS.ProcessEnv,
    });
    assert.equal(stdout.trim(), '141');
  });

  test('an unknown key in regctl\'s config file is an error naming it', async () => {
    const h = await makeHome({ registries: { 'docker.io': { endpoit: 'http://127.0.0.1:5000' } } });
    try {
      const r = await runCli(['tags', 'alpine'], h.env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /registries\["docker\.io"\]: unknown key "endpoit"/);
      assert.match(r.stderr, /hint: known keys: endpoint, search, insecure, ca, mirrors/);
      await writeFile(h.regctlConfig, JSON.stringify({ registry: {} }));
      assert.match((await runCli(['tags', 'alpine'], h.env)).stderr, /unknown key "registry"/);
    } finally {
      await h.cleanup();
    }
  });

  test('$REGCTL_CONFIG naming regclient\'s config file ("hosts"): one line says so, and the command works', async () => {
    const h = await makeHome({ hosts: { [reg.host]: { tls: 'disabled' } } });
    try {
      await seedImage({ url: reg.url }, 'regclient/app', '1');
      const r = await runCli(['tags', `${reg.host}/regclient/app`], h.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '1\n');
      assert.equal(r.stderr, `regctl: warning: ${h.regctlConfig} is regclient's regctl configuration ("hosts"), not this regctl's: ignored\n`);
    } finally {
      await h.cleanup();
    }
  });

  test('load -i notatar.txt says "not a tar archive" (exit 2)', async () => {
    const file = join(home.dir, 'notatar.txt');
    await writeFile(file, 'hello, this is text and not a tarball\n'.repeat(40));
    const r = await cli('load', '-i', file);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^regctl: not a tar archive/m);
    await writeFile(file, 'short');
    assert.match((await cli('load', '-i', file)).stderr, /^regctl: not a tar archive/m);
  });

  test('load and load -q print the same name', async () => {
    const file = join(home.dir, 'x.tar');
    assert.equal((await cli('save', '-q', '-o', file, `${reg.host}/t/big:1`)).code, 0);
    const loud = await cli('load', '-i', file);
    const quiet = await cli('load', '-q', '-i', file);
    assert.equal(loud.code, 0, loud.stderr);
    assert.equal(loud.stdout, `Loaded image: ${reg.host}/t/big:1\n`);
    assert.equal(quiet.stdout, loud.stdout);
  });

  test('inspect of an artifact: no "Platform: /", media types shown, descriptors kept whole in JSON', async () => {
    const art = await seedArtifact({ url: reg.url }, 't/sbom', 'v1');
    const r = await cli('inspect', `${reg.host}/t/sbom:v1`);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /Platform/);
    assert.match(r.stdout, /^ArtifactType: application\/spdx\+json$/m);
    assert.match(r.stdout, new RegExp(`^  ${art.blobDigest} +\\d+B +application/spdx\\+json$`, 'm'));
    const json = JSON.parse((await cli('inspect', '--format', 'json', `${reg.host}/t/sbom:v1`)).stdout);
    const doc = JSON.parse(art.manifest.toString());
    assert.equal(json.artifactType, 'application/spdx+json');
    assert.deepEqual(json.annotations, doc.annotations);
    assert.deepEqual(json.image.layers, doc.layers);
    assert.equal(json.image.platform, undefined);
    const img = await cli('inspect', `${reg.host}/t/big:1`);
    assert.match(img.stdout, /^Platform: +linux\/amd64$/m);
    assert.match(img.stdout, /^  sha256:[0-9a-f]{64} +[\d.]+[kKM]?i?B +application\/vnd\.docker\.image\.rootfs\.diff\.tar\.gzip$/m);
  });
});

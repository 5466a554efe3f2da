import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ArchiveWriter } from '../src/archive/writer.js';
import { run } from '../src/cli.js';
import { startDockerd, type DockerdHandle } from './helpers/dockerd.js';
import { busyboxImage, saveImage, sha256, type TestImage } from './helpers/images.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const busybox = execFileSync('sh', ['-c', 'command -v busybox || true']).toString().trim();

describe('save, load and copy through tarballs and layouts, judged by dockerd, podman and skopeo', { skip: busybox ? false : 'busybox-static is not installed' }, () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  let img: TestImage;
  let name: string;
  const cli = (...args: string[]) => runCli(args, home.env);

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    home.env.REGCTL_STORE = join(home.dir, 'store');
    T = mkdtempSync(join(tmpdir(), 'regctl-cli-archive-'));
    img = await busyboxImage(busybox);
    name = `${reg.host}/test/busybox:1`;
    // Into the store via load, and out to the registry via push.
    const w = new ArchiveWriter({ path: join(T, 'seed.tar') });
    await saveImage(w, name, img);
    await w.commit();
    const load = await cli('load', '-i', join(T, 'seed.tar'));
    assert.equal(load.code, 0, load.stderr);
    assert.equal(load.stdout, `Loaded image: ${name}\n`);
    const push = await cli('push', '-q', name);
    assert.equal(push.code, 0, push.stderr);
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    rmSync(T, { recursive: true, force: true });
  });

  async function withDockerd<R>(fn: (d: DockerdHandle) => Promise<R>): Promise<R> {
    const d = await startDockerd();
    try {
      return await fn(d);
    } finally {
      await d.stop();
    }
  }

  test('regctl save (two images) loads in a real docker load and runs', async () => {
    const other = await seedImage({ url: reg.url }, 'test/other', '2'); // not in the store: fetched from the registry
    const file = join(T, 'two.tar');
    const r = await cli('save', '-q', name, `${reg.host}/test/other:2`, '-o', file);
    assert.equal(r.code, 0, r.stderr);
    await withDockerd(async (d) => {
      const load = await d.docker(['load', '-i', file]);
      assert.equal(load.code, 0, load.stderr);
      assert.match(load.stdout, new RegExp(`Loaded image: ${name.replace(/\./g, '\\.')}`));
      assert.match(load.stdout, /Loaded image: 127\.0\.0\.1:\d+\/test\/other:2/);
      const ok = await d.docker(['run', '--rm', '--pull', 'never', '--network', 'none', name, '/bin/sh', '-c', 'cat /etc/regctl-test; echo ok']);
      assert.equal(ok.stdout, 'second layer\nok\n', ok.stderr);
      const id = (await d.docker(['image', 'inspect', '--format', '{{.Id}}', `${reg.host}/test/other:2`])).stdout.trim();
      assert.equal(id, other.configDigest);
    });
  });

  test('podman loads it and skopeo reads it with every digest verified', async () => {
    const file = join(T, 'one.tar');
    assert.equal((await cli('save', name, '-o', file)).code, 0);
    const P = ['--root', join(T, 'proot'), '--runroot', join(T, 'prun'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
    const { stdout } = await execFileAsync('podman', [...P, 'load', '-i', file]);
    assert.match(stdout, new RegExp(`Loaded image: ${name.replace(/\./g, '\\.')}`));
    await execFileAsync('skopeo', ['copy', `docker-archive:${file}`, `dir:${join(T, 'skopeo-out')}`]);
    // skopeo's docker-archive transport names layers by diff_id (their uncompressed digest).
    const inspect = JSON.parse((await execFileAsync('skopeo', ['inspect', `docker-archive:${file}`])).stdout);
    assert.deepEqual(inspect.Layers, img.layers.map((l) => sha256(l.tar)));
  });

  test('an image regctl pushed is pulled and run by the real dockerd', async () => {
    await withDockerd(async (d) => {
      const pull = await d.docker(['pull', name]);
      assert.equal(pull.code, 0, pull.stderr);
      const ok = await d.docker(['run', '--rm', '--pull', 'never', '--network', 'none', name, '/bin/sh', '-c', 'echo ok']);
      assert.equal(ok.stdout, 'ok\n', ok.stderr);
      // docker save of what it pulled: regctl load reads it and pushes it with the same config.
      const saved = join(T, 'docker-save.tar');
      assert.equal((await d.docker(['save', '-o', saved, name])).code, 0);
      const load = await cli('load', '-i', saved);
      assert.equal(load.code, 0, load.stderr);
      assert.equal(load.stdout, `Loaded image: ${name}\n`);
      await cli('tag', name, `${reg.host}/test/resaved:1`);
      assert.equal((await cli('push', '-q', `${reg.host}/test/resaved:1`)).code, 0);
      const cfg = await cli('inspect', '--config', `${reg.host}/test/resaved:1`);
      assert.deepEqual(JSON.parse(cfg.stdout).rootfs.diff_ids, img.layers.map((l) => sha256(l.tar)));
    });
  });

  test('save to stdout when it is not a terminal; refuse a terminal; load from stdin', async () => {
    const out: Buffer[] = [];
    const stdout = new PassThrough();
    stdout.on('data', (c: Buffer) => out.push(c));
    const code = await run(['save', name], { stdout, stderr: new PassThrough(), stdin: Readable.from([]), env: home.env, homedir: home.dir, runtime: process });
    assert.equal(code, 0);
    const tar = Buffer.concat(out);
    assert.equal(tar.subarray(257, 262).toString(), 'ustar');
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    const err = new PassThrough();
    let errText = '';
    err.on('data', (c: Buffer) => (errText += c));
    assert.equal(await run(['save', name], { stdout: tty, stderr: err, stdin: Readable.from([]), env: home.env, homedir: home.dir, runtime: process }), 2);
    assert.match(errText, /refusing to write a tarball to a terminal/);
    const h = await makeHome(undefined, { REGCTL_STORE: join(T, 'store-stdin') });
    const code2 = await run(['load', '-q'], { stdout: new PassThrough(), stderr: new PassThrough(), stdin: Readable.from([tar]), env: h.env, homedir: h.dir, runtime: process });
    assert.equal(code2, 0);
    assert.equal(JSON.parse((await runCli(['images', '--format', 'json'], h.env)).stdout)[0].name, name);
    await h.cleanup();
  });

  test('a hostile or corrupt tarball fails with exit 6 and imports nothing', async () => {
    const before = (await cli('images', '--format', 'json')).stdout;
    const evil = join(T, 'evil.tar');
    execFileSync('sh', ['-c', `cd ${T} && mkdir -p e && echo x > e/f && tar --absolute-names -cf ${evil} e/f /etc/hostname`]);
    const r = await cli('load', '-i', evil);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /^regctl: /m);
    const truncated = join(T, 'truncated.tar');
    const good = await readFile(join(T, 'seed.tar'));
    writeFileSync(truncated, good.subarray(0, Math.floor(good.length / 2)));
    const t = await cli('load', '-i', truncated);
    assert.equal(t.code, 6, t.stderr);
    assert.equal((await cli('images', '--format', 'json')).stdout, before);
    assert.equal((await cli('load', '-i', join(T, 'missing.tar'))).code, 3);
  });

  test('copy to and from oci: layouts and docker-archive: files keeps the digest', async () => {
    const layout = join(T, 'layout');
    const toOci = await cli('copy', '-q', name, `oci:${layout}:v1`);
    assert.equal(toOci.code, 0, toOci.stderr);
    // (skopeo 1.9's oci: transport only lists OCI media types; this image is Docker v2s2, so read index.json.)
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    assert.deepEqual(index.manifests.map((m: { digest: string; annotations: Record<string, string> }) => [m.digest, m.annotations['org.opencontainers.image.ref.name']]), [[toOci.stdout.trim(), 'v1']]);
    const back = await cli('copy', '-q', `oci:${layout}:v1`, `${reg.host}/test/from-oci:1`);
    assert.equal(back.stdout, toOci.stdout);
    const file = join(T, 'copied.tar');
    const toArchive = await cli('copy', '-q', name, `docker-archive:${file}:${reg.host}/test/arch:1`);
    assert.equal(toArchive.code, 0, toArchive.stderr);
    const fromArchive = await cli('copy', '-q', `docker-archive:${file}`, `${reg.host}/test/from-archive:1`);
    assert.equal(fromArchive.code, 0, fromArchive.stderr);
    assert.equal(fromArchive.stdout, toOci.stdout, 'compressed layers kept: same manifest digest');
  });
});

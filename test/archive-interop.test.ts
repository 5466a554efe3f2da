// regctl's archives against the real tools (test-bed.md): dockerd 20.10 `docker load`/`docker save`/`docker run`,
// podman 4.3 `load`, skopeo 1.9 `docker-archive:`. A tool that is not installed skips its tests (and scripts/test.sh
// then fails unless REGCTL_ALLOW_SKIP=1); a dockerd that cannot start fails them, as in every file that uses it.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openArchive } from '../src/archive/reader.js';
import { ArchiveWriter } from '../src/archive/writer.js';
import { startDockerd, type DockerdHandle } from './helpers/dockerd.js';
import { busyboxImage, listTar, makeImage, saveImage, sha256, type TestImage } from './helpers/images.js';
import { spawnCapture, which } from './helpers/run-cli.js';

const T = mkdtempSync(join(tmpdir(), 'regctl-interop-'));
const busybox = which('busybox');
const needs = (...bins: string[]) => {
  const missing = bins.filter((b) => !which(b));
  return missing.length > 0 && `not installed: ${missing.join(', ')}`;
};
// Started by the first test that needs it.
let daemon: Promise<DockerdHandle> | undefined;
after(async () => {
  if (daemon) await (await daemon.catch(() => undefined))?.stop();
  rmSync(T, { recursive: true, force: true });
});
const docker = async (args: string[]) => (await (daemon ??= startDockerd())).docker(args);

const NAME = 'localhost:5000/regctl-test/busybox:1';
const NAME2 = 'regctl-test/other:latest';
let img: TestImage;
let saved: string;

// What several tests start from, made once by whichever runs first (so each test also runs alone): regctl's archive
// of two images, and that archive loaded into dockerd.
let prepared: Promise<void> | undefined;
const prepare = () => (prepared ??= (async () => {
  img = await busyboxImage(busybox);
  saved = join(T, 'regctl.tar');
  const w = new ArchiveWriter({ path: saved });
  await saveImage(w, NAME, img);
  await saveImage(w, NAME2, makeImage([img.layers[0]!], { cmd: ['/bin/sh'], created: '2024-02-02T00:00:00Z' }));
  await w.commit();
})());
let loaded: ReturnType<typeof docker> | undefined;
const loadIntoDocker = () => (loaded ??= prepare().then(() => docker(['load', '-i', saved])));

test('regctl save → real docker load (fresh data root) → docker run prints ok', { skip: needs('busybox', 'dockerd') }, async () => {
  const load = await loadIntoDocker();
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stdout, /Loaded image: localhost:5000\/regctl-test\/busybox:1/);
  assert.match(load.stdout, /Loaded image: regctl-test\/other:latest/);
  const id = await docker(['image', 'inspect', '--format', '{{.Id}} {{json .RootFS.Layers}}', NAME]);
  assert.equal(id.stdout.trim(), `${img.configDesc.digest} ${JSON.stringify(img.layers.map((l) => l.diffId))}`);
  const run = await docker(['run', '--rm', '--pull', 'never', '--network', 'none', NAME, '/bin/sh', '-c', 'cat /etc/regctl-test; echo ok']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'second layer\nok\n');
});

test('real docker save (legacy layout of dockerd 20.10) → openArchive: layers verify, ids preserved', { skip: needs('busybox', 'dockerd') }, async () => {
  assert.equal((await loadIntoDocker()).code, 0, 'the images docker saves were loaded from regctl\'s archive');
  const out = join(T, 'docker-save.tar');
  const save = await docker(['save', '-o', out, NAME, NAME2]);
  assert.equal(save.code, 0, save.stderr);
  const names = (await listTar(readFileSync(out))).map((e) => e.name);
  assert.ok(names.some((n) => n.endsWith('/layer.tar')), `legacy layout expected, got ${names.join(' ')}`);
  const archive = await openArchive({ path: out }, T);
  try {
    assert.deepEqual(archive.images.map((i) => i.name).sort(), ['docker.io/regctl-test/other:latest', NAME]);
    const src = archive.find(NAME).source;
    const m = JSON.parse((await src.fetchManifest(await src.resolve())).toString());
    assert.equal(m.config.digest, img.configDesc.digest, 'docker keeps the config bytes, so the image id survives');
    assert.deepEqual(m.layers.map((l: { digest: string }) => l.digest), img.layers.map((l) => l.diffId));
  } finally {
    await archive.close();
  }
});

// podman reads the OCI part of a one-image archive (names from io.containerd.image.name); with several images its OCI
// path refuses ("more than one image") and it falls back to docker-archive, where it would prefix a familiar RepoTag
// without a registry with localhost/ (as with a real `docker save`): regctl writes full names there, so it does not.
test('podman loads regctl archives (one image and several) and names them', { skip: needs('busybox', 'podman') }, async () => {
  await prepare();
  const single = join(T, 'single.tar');
  const w = new ArchiveWriter({ path: single });
  await saveImage(w, NAME2, img);
  await w.commit();
  const cases: Array<[string, string[]]> = [
    [single, [`docker.io/${NAME2}`]],
    [saved, [NAME, `docker.io/${NAME2}`]],
  ];
  for (const [file, expected] of cases) {
    const root = mkdtempSync(join(T, 'podman-'));
    const p = ['--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
    const env = { PATH: process.env.PATH, HOME: root };
    const load = await spawnCapture('podman', [...p, 'load', '-i', file], env);
    assert.equal(load.code, 0, load.stderr);
    for (const name of expected) {
      const inspect = await spawnCapture('podman', [...p, 'image', 'inspect', '--format', '{{.Id}} {{json .RepoTags}}', name], env);
      assert.equal(inspect.code, 0, `${name}: ${inspect.stderr}\n${load.stdout}`);
      assert.ok(inspect.stdout.includes(name), inspect.stdout);
    }
    const local = await spawnCapture('podman', [...p, 'image', 'inspect', `localhost/${NAME2}`], env);
    assert.notEqual(local.code, 0, `podman named an image localhost/${NAME2}`);
    const first = await spawnCapture('podman', [...p, 'image', 'inspect', '--format', '{{.Id}}', expected[0]!], env);
    assert.equal(`sha256:${first.stdout.trim()}`, img.configDesc.digest);
    await spawnCapture('podman', [...p, 'system', 'reset', '--force'], env);
    rmSync(root, { recursive: true, force: true });
  }
});

test('skopeo reads regctl archives as docker-archive: with every digest verified', { skip: needs('busybox', 'skopeo') }, async () => {
  await prepare();
  const ref = `docker-archive:${saved}:${NAME}`;
  const inspect = await spawnCapture('skopeo', ['inspect', '--raw', ref], { PATH: process.env.PATH });
  assert.equal(inspect.code, 0, inspect.stderr);
  const dir = join(T, 'skopeo-dir');
  const copy = await spawnCapture('skopeo', ['copy', ref, `dir:${dir}`], { PATH: process.env.PATH });
  assert.equal(copy.code, 0, copy.stderr);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.config.digest, img.configDesc.digest);
  for (const f of readdirSync(dir).filter((n) => /^[0-9a-f]{64}$/.test(n))) {
    assert.equal(sha256(readFileSync(join(dir, f))), `sha256:${f}`);
  }
  const pretty = await spawnCapture('skopeo', ['inspect', ref], { PATH: process.env.PATH });
  assert.equal(pretty.code, 0, pretty.stderr);
  assert.equal(JSON.parse(pretty.stdout).Layers.length, img.layers.length);
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ConfigError, IntegrityError, NotFoundError, RegctlError } from '../src/errors.js';
import { copyImage } from '../src/content/copy.js';
import { writeTo } from '../src/content/target.js';
import type { Descriptor } from '../src/oci/manifest.js';
import { gcLayout } from '../src/store/gc.js';
import { CONTAINERD_NAME, OciLayout, REF_NAME } from '../src/store/layout.js';
import { layoutDestination, layoutSource } from '../src/store/layout-target.js';
import { ImageStore, storePath } from '../src/store/store.js';
import { descOf, readAll, sha256 } from './helpers/bytes.js';
import { copyInto, layerOf, makeImage as makeTestImage, memoryWith, type TestImage } from './helpers/images.js';
import { tarLayer } from './helpers/seed.js';

const run = promisify(execFile);
const SRC = resolve(import.meta.dirname, '../src');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';


/** A real image: gzipped tar layers of these files, a config with diff_ids, an OCI manifest. */
const makeImage = (files: Array<Record<string, string>>, created = '2024-01-02T03:04:05Z', arch = 'amd64'): TestImage =>
  makeTestImage(files.map((f) => layerOf(tarLayer(f), { format: 'oci' })), { created, arch, format: 'oci' });

/** Every file under blobs/, dotfiles (temp files) included. */
async function blobFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'blobs', 'sha256'))).sort();
}

let root: string;
let n = 0;
const fresh = async (): Promise<string> => join(root, `t${n++}`);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'regctl-store-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('OciLayout', () => {
  test('create writes oci-layout and an empty index; open refuses what is not a layout', async () => {
    const dir = await fresh();
    await assert.rejects(OciLayout.open(dir, { create: false }), (e) => e instanceof NotFoundError && /does not exist/.test(e.message));
    await OciLayout.open(dir, { create: true });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')).manifests, []);
    await OciLayout.open(dir, { create: false });

    const other = await fresh();
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'x');
    await assert.rejects(OciLayout.open(other, { create: false }), (e) => e instanceof NotFoundError && /not an OCI image layout/.test(e.message));
    await assert.rejects(OciLayout.open(other, { create: true }), (e) => e instanceof ConfigError && /not empty/.test(e.message));
    await writeFile(join(other, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    await assert.rejects(OciLayout.open(other, { create: false }), ConfigError);
  });

  test('round trip through layoutDestination and layoutSource, with the tag as ref.name', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const img = makeImage([{ 'etc/hello': 'hello\n' }, { 'bin/x': 'x'.repeat(100_000) }]);
    await copyInto(layoutDestination(layout, `oci:${dir}:v1`), img, 'v1');

    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    assert.equal(index.manifests.length, 1);
    assert.deepEqual(index.manifests[0], { mediaType: OCI_MANIFEST, digest: img.desc.digest, size: img.desc.size, annotations: { [REF_NAME]: 'v1' } });

    const src = layoutSource(layout, 'v1', () => `oci:${dir}:v1`);
    const desc = await src.resolve();
    assert.equal(desc.digest, img.desc.digest);
    assert.deepEqual(await src.fetchManifest(desc), img.manifest);
    const layer = img.layers[1]!;
    const whole = await src.fetchBlob(layer.desc);
    assert.deepEqual(await readAll(whole.stream), layer.blob);
    const rest = await src.fetchBlob(layer.desc, 1000);
    assert.equal(rest.resumed, true);
    assert.deepEqual(await readAll(rest.stream), layer.blob.subarray(1000));
    assert.deepEqual(await layoutSource(layout, undefined, () => 'oci').resolve(), desc, 'the only image, without a tag');
    await assert.rejects(layoutSource(layout, 'v2', () => 'oci').resolve(), NotFoundError);

    // Pushing again: everything exists, nothing changes; no temp files, leases or locks are left.
    const dst = layoutDestination(layout, 'again');
    assert.equal(await dst.pushBlob(layer.desc, async () => assert.fail('must not open an existing blob')), 'exists');
    await copyInto(dst, img, 'v1');
    assert.deepEqual((await blobFiles(dir)).filter((f) => f.startsWith('.')), []);
    assert.equal(existsSync(join(dir, '.leases')), false);
    assert.equal(existsSync(join(dir, 'index.json.lock')), false);
    assert.equal(((await lstat(layout.blobPath(layer.desc.digest))).mode & 0o777), 0o444);
  });

  test('a digest mismatch is refused with IntegrityError and leaves no blob or temp file', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const good = Buffer.from('good content');
    const desc = descOf(good, 'application/octet-stream');
    await assert.rejects(layout.writeBlob(desc, Readable.from([Buffer.from('evil content')])),
      (e) => e instanceof IntegrityError && e.code === 'ERR_DIGEST_MISMATCH' && e.exitCode === 6);
    assert.deepEqual(await blobFiles(dir), []);
    const dst = layoutDestination(layout, 'oci');
    await assert.rejects(dst.pushManifest(desc, Buffer.from('evil content'), { top: true, tag: 'x' }), IntegrityError);
    await assert.rejects(dst.pushBlob(desc, async () => Readable.from([Buffer.from('evil content')])), IntegrityError);
    await dst.abort?.();
    assert.deepEqual(await blobFiles(dir), []);
    assert.deepEqual((await layout.list()), []);
  });

  test('a size mismatch (too many or too few bytes) is refused and leaves nothing', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const data = Buffer.from('0123456789');
    for (const size of [5, 20]) {
      await assert.rejects(layout.writeBlob({ mediaType: '', digest: sha256(data), size }, Readable.from([data])),
        (e) => e instanceof IntegrityError && e.code === 'ERR_SIZE_MISMATCH');
    }
    assert.deepEqual(await blobFiles(dir), []);
    await assert.rejects(layout.writeBlob({ mediaType: '', digest: 'sha256:../../etc', size: 1 }, Readable.from([data])), IntegrityError);
  });

  test('an interrupted write leaves nothing visible and a rerun completes', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const data = Buffer.alloc(300_000, 7);
    const desc = descOf(data, 'application/octet-stream');
    async function* dropsMidway() {
      yield data.subarray(0, 100_000);
      throw new Error('connection reset');
    }
    await assert.rejects(layout.writeBlob(desc, Readable.from(dropsMidway())), /connection reset/);
    assert.deepEqual(await blobFiles(dir), []);
    assert.equal(await layout.hasBlob(desc), false);
    assert.equal(await layout.writeBlob(desc, Readable.from([data.subarray(0, 5), data.subarray(5)])), 'written');
    assert.deepEqual(await readFile(layout.blobPath(desc.digest)), data);
    assert.equal(await layout.writeBlob(desc, Readable.from([data])), 'exists');
  });

  test('a symlinked blob is refused for reading and replaced on writing', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const data = Buffer.from('{"secret":true}');
    const desc = descOf(data, 'application/octet-stream');
    const outside = join(root, `outside-${n}`);
    await writeFile(outside, data);
    await symlink(outside, layout.blobPath(desc.digest));
    assert.equal(await layout.hasBlob(desc), false);
    await assert.rejects(layout.openBlob(desc), (e) => e instanceof IntegrityError && /layout blob .* is a symlink/.test(e.message));
    await assert.rejects(layout.readBlob(desc), /is a symlink/);
    assert.equal(await layout.writeBlob(desc, Readable.from([data])), 'written');
    assert.equal((await lstat(layout.blobPath(desc.digest))).isSymbolicLink(), false);
    assert.deepEqual(await readAll(await layout.openBlob(desc)), data);
  });

  test('tags resolve by full name first, then by ref.name; untag removes; ambiguity is an error', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const a = makeImage([{ a: 'a' }]);
    const b = makeImage([{ b: 'b' }]);
    await layout.tag('docker.io/library/a:latest', a.desc, { refName: 'latest' });
    await layout.tag('docker.io/library/b:latest', b.desc, { refName: 'latest' });
    await layout.tag('v1', a.desc);
    assert.equal((await layout.resolve('docker.io/library/b:latest')).digest, b.desc.digest);
    assert.equal((await layout.resolve('v1')).digest, a.desc.digest);
    await assert.rejects(layout.resolve('latest'), (e) => e instanceof RegctlError && e.exitCode === 2 && /ambiguous/.test(e.message));
    await layout.tag('v1', b.desc); // replaces
    assert.equal((await layout.resolve('v1')).digest, b.desc.digest);
    assert.equal((await layout.list()).length, 3);
    const entry = (await layout.list()).find((e) => e.digest === a.desc.digest)!;
    assert.deepEqual(entry.annotations, { [CONTAINERD_NAME]: 'docker.io/library/a:latest', [REF_NAME]: 'latest' });
    assert.equal((await layout.untag('v1')).length, 1);
    assert.equal((await layout.untag('v1')).length, 0);
    await assert.rejects(layout.resolve('v1'), NotFoundError);
  });
});

describe('locking', () => {
  test('two processes tagging 50 names each into one layout end with all 100 entries', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const img = makeImage([{ x: 'x' }]);
    await copyInto(layoutDestination(layout, 'oci'), img);
    const script = join(root, 'tagger.mjs');
    await writeFile(script, `
      import { OciLayout } from ${JSON.stringify(join(SRC, 'store/layout.ts'))};
      const [dir, id, desc] = process.argv.slice(2);
      const layout = await OciLayout.open(dir, { create: true });
      for (let i = 0; i < 50; i++) await layout.tag('localhost:5000/p' + id + ':t' + i, JSON.parse(desc));
    `);
    const children = ['a', 'b'].map((id) => run(process.execPath, ['--import', 'tsx', script, dir, id, JSON.stringify(img.desc)]));
    await Promise.all(children);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    const names = index.manifests.map((e: Descriptor) => e.annotations?.[CONTAINERD_NAME]).filter(Boolean).sort();
    assert.equal(names.length, 100);
    assert.equal(new Set(names).size, 100);
    assert.equal(existsSync(join(dir, 'index.json.lock')), false);
  });

  test('a lock left by a dead process is broken; a live one times out with a clear error', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true, lock: { timeoutMs: 300 } });
    const { stdout } = await run(process.execPath, ['-e', 'console.log(process.pid)']);
    const lock = (pid: number) => JSON.stringify({ pid, host: hostname(), created: Date.now(), nonce: 'n' });
    await writeFile(join(dir, 'index.json.lock'), lock(Number(stdout.trim())));
    await layout.tag('v1', makeImage([{ a: 'a' }]).desc);
    assert.equal((await layout.list()).length, 1);

    await writeFile(join(dir, 'index.json.lock'), lock(process.pid));
    await assert.rejects(layout.tag('v2', makeImage([{ b: 'b' }]).desc),
      (e) => e instanceof RegctlError && e.code === 'ERR_STORE_LOCKED' && /held by pid/.test(e.message));
    await rm(join(dir, 'index.json.lock'));
  });
});

describe('gc', () => {
  test('untag + gc removes only the blobs no other image needs, and old temp files', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const shared = { 'lib/shared': 'shared layer' };
    const a = makeImage([shared, { a: 'only a' }], '2024-01-01T00:00:00Z');
    const b = makeImage([shared, { b: 'only b' }], '2024-02-01T00:00:00Z');
    await copyInto(layoutDestination(layout, 'oci'), a, 'a');
    await copyInto(layoutDestination(layout, 'oci'), b, 'b');
    assert.equal((await gcLayout(layout)).freedBytes, 0, 'nothing unreachable yet');
    const oldTmp = join(dir, 'blobs', 'sha256', '.tmp-old');
    const newTmp = join(dir, 'blobs', 'sha256', '.tmp-new');
    await writeFile(oldTmp, 'x');
    await writeFile(newTmp, 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(oldTmp, twoHoursAgo, twoHoursAgo);
    await layout.untag('a');
    const res = await gcLayout(layout);
    const onlyA = [a.desc, a.configDesc, a.layers[1]!.desc];
    assert.deepEqual(res.removedBlobs.sort(), onlyA.map((d) => d.digest).sort());
    assert.equal(res.freedBytes, onlyA.reduce((s, d) => s + d.size, 0));
    assert.equal(res.removedTempFiles, 1);
    assert.equal(existsSync(oldTmp), false);
    assert.equal(existsSync(newTmp), true);
    for (const d of [b.desc, b.configDesc, ...b.layers.map((l) => l.desc)]) assert.ok(await layout.hasBlob(d), d.digest);
  });

  test('blobs of a transfer in progress are protected by its lease until it ends', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const img = makeImage([{ p: 'pending' }]);
    const dst = layoutDestination(layout, 'oci');
    await dst.pushBlob(img.configDesc, async () => Readable.from([img.config]));
    assert.deepEqual((await gcLayout(layout)).removedBlobs, []);
    assert.ok(await layout.hasBlob(img.configDesc));
    await dst.abort?.();
    assert.deepEqual((await gcLayout(layout)).removedBlobs, [img.configDesc.digest]);
  });

  test('a blob a transfer found present (hasBlob) survives an rmi gc in the middle of that transfer', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const img = makeImage([{ s: 'shared' }]);
    await copyInto(layoutDestination(layout, 'oci'), img, 'x');
    const old = new Date(Date.now() - 60_000);
    for (const d of [img.desc, img.configDesc, img.layers[0]!.desc]) await utimes(layout.blobPath(d.digest), old, old);
    const dst = layoutDestination(layout, 'oci');
    assert.equal(await dst.tagDigest?.('y'), undefined);
    assert.equal(await dst.hasBlob(img.layers[0]!.desc), true);
    await layout.untag('x');
    assert.deepEqual((await gcLayout(layout)).removedBlobs.sort(), [img.desc.digest, img.configDesc.digest].sort());
    assert.ok(await layout.hasBlob(img.layers[0]!.desc), 'the layer the transfer relies on is kept');
    await dst.commit?.();
    assert.deepEqual((await gcLayout(layout)).removedBlobs, [img.layers[0]!.desc.digest]);
  });

  test('an unreadable manifest makes gc keep everything', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const bad = Buffer.from('not json');
    await layout.writeBlob(descOf(bad, OCI_MANIFEST), Readable.from([bad]));
    await layout.tag('bad', descOf(bad, OCI_MANIFEST));
    const orphan = Buffer.from('orphan');
    await layout.writeBlob(descOf(orphan, ''), Readable.from([orphan]));
    const res = await gcLayout(layout);
    assert.equal(res.complete, false);
    assert.deepEqual(res.removedBlobs, []);
  });
});

describe('ImageStore', () => {
  test('storePath: REGCTL_STORE, then XDG_DATA_HOME, then ~/.local/share', () => {
    assert.equal(storePath({ REGCTL_STORE: '/s', XDG_DATA_HOME: '/x' }, '/h'), '/s');
    assert.equal(storePath({ XDG_DATA_HOME: '/x' }, '/h'), '/x/regctl/store');
    assert.equal(storePath({ XDG_DATA_HOME: 'rel' }, '/h'), '/h/.local/share/regctl/store');
    assert.equal(storePath({}, '/h'), '/h/.local/share/regctl/store');
  });

  test('names, digests, tag, list fields, not-found hint and rmi', async () => {
    const store = await ImageStore.open(await fresh());
    const alpine = makeImage([{ 'etc/os-release': 'alpine' }], '2024-03-04T05:06:07Z');
    const app = makeImage([{ 'etc/os-release': 'alpine' }, { app: 'app' }], '2024-05-06T07:08:09Z');
    await copyInto(store.destination(), alpine, store.nameOf('alpine'));
    await copyInto(store.destination(), app, store.nameOf('localhost:5000/app:v2'));

    assert.equal((await store.source('docker.io/library/alpine:latest').resolve()).digest, alpine.desc.digest);
    assert.equal((await store.source(`alpine@${alpine.desc.digest}`).resolve()).digest, alpine.desc.digest);
    await assert.rejects(store.source(`busybox@${alpine.desc.digest}`).resolve(), NotFoundError, 'a digest resolves only within its repository');
    const entry = (await store.layout.list())[0]!;
    assert.deepEqual(entry.annotations, { [CONTAINERD_NAME]: 'docker.io/library/alpine:latest', [REF_NAME]: 'docker.io/library/alpine:latest' });

    await store.tag('alpine', 'mine/alpine:1');
    assert.equal((await store.source('docker.io/mine/alpine:1').resolve()).digest, alpine.desc.digest);
    await assert.rejects(store.tag('nope', 'x'), NotFoundError);

    const err = await store.source('nope').resolve().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof NotFoundError);
    assert.equal(err.message, 'image nope:latest not found in the local store');
    assert.equal(err.hint, 'pull nope:latest into the local store first', 'the library names no CLI command (the CLI adds regctl pull)');
    assert.equal(err.exitCode, 3);

    const list = await store.list();
    const size = (img: TestImage) => img.configDesc.size + img.layers.reduce((s, l) => s + l.desc.size, 0);
    assert.deepEqual(list.map((i) => [i.repository, i.tag]), [['alpine', 'latest'], ['localhost:5000/app', 'v2'], ['mine/alpine', '1']]);
    assert.deepEqual(list[1], {
      name: 'localhost:5000/app:v2', repository: 'localhost:5000/app', tag: 'v2', digest: app.desc.digest, id: app.configDesc.digest,
      size: size(app), created: '2024-05-06T07:08:09Z', mediaType: OCI_MANIFEST,
    });

    // rmi: alpine is still tagged as mine/alpine:1, so nothing is freed; then app frees what only it used.
    assert.deepEqual(await store.remove('alpine'), { untagged: ['docker.io/library/alpine:latest'], deletedBytes: 0 });
    const rm2 = await store.remove(`localhost:5000/app@${app.desc.digest}`);
    assert.deepEqual(rm2.untagged, ['localhost:5000/app:v2']);
    assert.equal(rm2.deletedBytes, app.desc.size + app.configDesc.size + app.layers[1]!.desc.size);
    await assert.rejects(store.remove('alpine'), NotFoundError);
    assert.ok(await store.layout.hasBlob(alpine.layers[0]!.desc), 'the shared layer stays');
  });

  test('an index: size sums the platform images present, created from the first', async () => {
    const store = await ImageStore.open(await fresh());
    const amd = makeImage([{ a: 'amd64' }], '2024-01-01T00:00:00Z');
    const arm = makeImage([{ a: 'arm64' }], '2024-01-02T00:00:00Z', 'arm64');
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [
      { ...amd.desc, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm.desc, platform: { os: 'linux', architecture: 'arm64' } },
    ] }));
    const mem = memoryWith(amd, arm);
    mem.manifests.set(sha256(index), { desc: descOf(index, OCI_INDEX), bytes: index });
    await writeTo(store.destination(), (dst) => copyImage(mem.source(sha256(index)), dst, { tag: store.nameOf('multi:1') }));
    const [img] = await store.list();
    assert.equal(img!.mediaType, OCI_INDEX);
    assert.equal(img!.size, [amd, arm].reduce((s, i) => s + i.configDesc.size + i.layers[0]!.desc.size, 0));
    assert.equal(img!.created, '2024-01-01T00:00:00Z');
    assert.equal((await store.layout.list()).length, 1, 'platform manifests pushed without a tag are only blobs');
  });
});

describe('skopeo reads the layouts', { skip: !(await hasSkopeo()) && 'skopeo not installed' }, () => {
  test('oci:DIR:TAG and the store by full name report the same digest, and skopeo copy verifies every blob', async () => {
    const dir = await fresh();
    const layout = await OciLayout.open(dir, { create: true });
    const img = makeImage([{ 'etc/hello': 'hello\n' }, { 'bin/x': 'x'.repeat(50_000) }]);
    await copyInto(layoutDestination(layout, `oci:${dir}:v1`), img, 'v1');
    const { stdout } = await run('skopeo', ['inspect', `oci:${dir}:v1`]);
    assert.equal(JSON.parse(stdout).Digest, img.desc.digest);
    await run('skopeo', ['copy', '--quiet', `oci:${dir}:v1`, `dir:${join(root, `copy-${n++}`)}`]);

    const store = await ImageStore.open(await fresh());
    await copyInto(store.destination(), img, store.nameOf('localhost:5000/app:v2'));
    const out = await run('skopeo', ['inspect', `oci:${store.path}:localhost:5000/app:v2`]);
    assert.equal(JSON.parse(out.stdout).Digest, img.desc.digest);
  });
});

async function hasSkopeo(): Promise<boolean> {
  return run('skopeo', ['--version']).then(() => true, () => false);
}


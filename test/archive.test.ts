import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openArchive, type OpenedArchive } from '../src/archive/reader.js';
import { ArchiveWriter } from '../src/archive/writer.js';
import { IntegrityError, NotFoundError, UsageError } from '../src/errors.js';
import { OCI_INDEX, OCI_MANIFEST } from '../src/oci/media-types.js';
import { readAll } from './helpers/bytes.js';
import { hex, listTar, makeImage, makeLayer, saveImage, sha256, tarOf, withLyingSize, zstdCompress, type TarEntry, type TestImage } from './helpers/images.js';

let T: string;
let base: TestImage; // one layer, shared
let app: TestImage; // the shared layer plus one of its own
before(async () => {
  T = mkdtempSync(join(tmpdir(), 'regctl-archive-'));
  const shared = await makeLayer([{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', body: 'ID=test\n' }]);
  const own = await makeLayer([{ name: 'app', body: 'hello app\n', mode: 0o755 }]);
  base = makeImage([shared]);
  app = makeImage([shared, own], { cmd: ['/app'] });
});
after(() => rmSync(T, { recursive: true, force: true }));

async function saveBoth(out: ConstructorParameters<typeof ArchiveWriter>[0]): Promise<void> {
  const w = new ArchiveWriter(out);
  await saveImage(w, 'alpine', base);
  await saveImage(w, 'localhost:5000/team/app:v1', app);
  await w.commit();
}

/** Opens bytes as an archive from a stream (like `regctl load` from stdin). */
function openBytes(data: Buffer, tmp = T): Promise<OpenedArchive> {
  return openArchive({ stream: Readable.from([data]) }, tmp);
}

async function assertImages(archive: OpenedArchive, expected: Record<string, TestImage>): Promise<void> {
  assert.deepEqual(archive.images.map((i) => i.name).sort(), Object.keys(expected).sort());
  for (const [name, img] of Object.entries(expected)) {
    const src = archive.find(name).source;
    const top = await src.resolve();
    const manifest = JSON.parse((await src.fetchManifest(top)).toString()) as { config: { digest: string }; layers: Array<{ digest: string; size: number }> };
    assert.equal(manifest.config.digest, img.configDesc.digest);
    assert.equal(manifest.layers.length, img.layers.length);
    for (const l of manifest.layers) {
      const { stream } = await src.fetchBlob({ mediaType: '', digest: l.digest, size: l.size });
      assert.equal(sha256(await readAll(stream)), l.digest);
    }
  }
}

describe('ArchiveWriter → openArchive', () => {
  test('two images sharing a layer: stored once, digests preserved, docker metadata written', async () => {
    const path = join(T, 'two.tar');
    await saveBoth({ path });
    const data = readFileSync(path);
    const entries = await listTar(data);
    const shared = `blobs/sha256/${hex(base.layers[0]!.desc.digest)}`;
    assert.equal(entries.filter((e) => e.name === shared).length, 1);
    assert.ok(entries.every((e) => e.mtime === 0 && (e.type === 'directory' ? e.mode === 0o755 : e.mode === 0o644)));
    assert.deepEqual(entries.slice(0, 3).map((e) => e.name), ['oci-layout', 'blobs/', 'blobs/sha256/']);
    assert.deepEqual(entries.slice(-3).map((e) => e.name), ['index.json', 'manifest.json', 'repositories']);
    assert.deepEqual(readdirSync(T).filter((n) => n.includes('.tmp-')), [], 'temp file renamed away');

    const archive = await openBytes(data);
    try {
      await assertImages(archive, { 'docker.io/library/alpine:latest': base, 'localhost:5000/team/app:v1': app });
      assert.equal((await archive.find('alpine').source.resolve()).digest, base.desc.digest);
      assert.equal((await archive.find('localhost:5000/team/app:v1').source.resolve()).digest, app.desc.digest);
    } finally {
      await archive.close();
    }

    const extracted = await tarFiles(data);
    assert.deepEqual(JSON.parse(extracted['manifest.json']!.toString()), [
      { Config: `blobs/sha256/${hex(base.configDesc.digest)}`, RepoTags: ['docker.io/library/alpine:latest'], Layers: [shared] },
      { Config: `blobs/sha256/${hex(app.configDesc.digest)}`, RepoTags: ['localhost:5000/team/app:v1'], Layers: app.layers.map((l) => `blobs/sha256/${hex(l.desc.digest)}`) },
    ]);
    const index = JSON.parse(extracted['index.json']!.toString());
    assert.equal(index.mediaType, OCI_INDEX);
    assert.deepEqual(index.manifests[1].annotations, { 'io.containerd.image.name': 'localhost:5000/team/app:v1', 'org.opencontainers.image.ref.name': 'v1' });
    assert.deepEqual(JSON.parse(extracted.repositories!.toString()), {
      alpine: { latest: hex(base.layers[0]!.desc.digest) },
      'localhost:5000/team/app': { v1: hex(app.layers[1]!.desc.digest) },
    });
    assert.equal(extracted['oci-layout']?.toString(), '{"imageLayoutVersion":"1.0.0"}');
  });

  test('the same input gives byte-identical archives; a stream destination works; gzip-wrapped archives load', async () => {
    const a = new PassThrough();
    const collected = readAll(a);
    await saveBoth({ stream: a });
    const fromStream = await collected;
    await saveBoth({ path: join(T, 'again.tar') });
    assert.ok(fromStream.equals(readFileSync(join(T, 'again.tar'))));
    const archive = await openBytes(gzipSync(fromStream));
    try {
      await assertImages(archive, { 'docker.io/library/alpine:latest': base, 'localhost:5000/team/app:v1': app });
    } finally {
      await archive.close();
    }
  });

  test('a blob whose content does not match its digest aborts the whole archive', async () => {
    const path = join(T, 'bad.tar');
    const w = new ArchiveWriter({ path });
    const bogus = { ...base.layers[0]!.desc, digest: sha256('something else') };
    await assert.rejects(w.pushBlob(bogus, async () => Readable.from([base.layers[0]!.blob])), (e: unknown) => e instanceof IntegrityError && e.exitCode === 6);
    await assert.rejects(w.commit(), IntegrityError);
    await w.abort();
    assert.equal(existsSync(path), false);
    assert.deepEqual(readdirSync(T).filter((n) => n.startsWith('.bad.tar')), []);
  });
});

/** A save of `app` (both layouts) with its second layer's blob replaced by `body`. */
async function tamperedSave(body: string): Promise<Buffer> {
  const data = await tarFiles(await (async () => { const p = new PassThrough(); const r = readAll(p); await saveBoth({ stream: p }); return r; })());
  const entries: TarEntry[] = Object.entries(data).map(([name, body]) => ({ name, body }));
  const victim = `blobs/sha256/${hex(app.layers[1]!.desc.digest)}`;
  return tarOf(entries.map((e) => (e.name === victim ? { name: e.name, body } : e.name.endsWith('/') ? { name: e.name, type: 'directory' } : e)));
}

async function tarFiles(data: Buffer): Promise<Record<string, Buffer>> {
  const { extract } = await import('tar-stream');
  const ex = extract();
  Readable.from([data]).pipe(ex as unknown as NodeJS.WritableStream);
  const out: Record<string, Buffer> = {};
  for await (const e of ex) out[e.header.name] = await readAll(e as unknown as Readable);
  return out;
}

/** docker ≤ 24's `docker save`: `<id>/layer.tar` uncompressed, repeats as symlinks, `<cfg>.json`. */
async function legacySave(img: TestImage, opts: { repeat?: boolean } = {}): Promise<Buffer> {
  const ids = img.layers.map((_, i) => sha256(`v1id ${i}`).slice(7));
  const entries: TarEntry[] = [];
  const layerPaths: string[] = [];
  img.layers.forEach((l, i) => {
    entries.push({ name: `${ids[i]}/`, type: 'directory', mode: 0o755 }, { name: `${ids[i]}/VERSION`, body: '1.0' }, { name: `${ids[i]}/json`, body: `{"id":"${ids[i]}"}` });
    entries.push({ name: `${ids[i]}/layer.tar`, body: l.tar });
    layerPaths.push(`${ids[i]}/layer.tar`);
  });
  if (opts.repeat) {
    const id = sha256('repeat').slice(7);
    entries.push({ name: `${id}/`, type: 'directory' }, { name: `${id}/layer.tar`, type: 'symlink', linkname: `../${ids[0]}/layer.tar` });
    layerPaths.push(`${id}/layer.tar`);
  }
  const cfg = hex(img.configDesc.digest);
  entries.push({ name: `${cfg}.json`, body: img.config });
  entries.push({ name: 'manifest.json', body: JSON.stringify([{ Config: `${cfg}.json`, RepoTags: ['legacy:1'], Layers: layerPaths }]) });
  entries.push({ name: 'repositories', body: JSON.stringify({ legacy: { 1: ids.at(-1) } }) });
  return tarOf(entries);
}

describe('openArchive: other layouts', () => {
  test("docker's legacy save with a symlinked repeated layer loads, with a synthesized manifest whose layers verify", async () => {
    const l0 = app.layers[0]!;
    const img = makeImage([l0, app.layers[1]!], { diffIds: [l0.diffId, app.layers[1]!.diffId, l0.diffId] });
    const data = await legacySave(img, { repeat: true });
    for (const input of [data, gzipSync(data)]) {
      const archive = await openBytes(input);
      try {
        assert.deepEqual(archive.images.map((i) => i.name), ['docker.io/library/legacy:1']);
        const src = archive.find().source;
        const top = await src.resolve();
        const m = JSON.parse((await src.fetchManifest(top)).toString());
        assert.equal(top.digest, sha256(await src.fetchManifest(top)));
        assert.equal(m.config.digest, img.configDesc.digest);
        assert.deepEqual(m.layers.map((l: { digest: string }) => l.digest), [l0.diffId, app.layers[1]!.diffId, l0.diffId]);
        assert.equal(m.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar');
        const { stream } = await src.fetchBlob(m.layers[2]);
        assert.ok((await readAll(stream)).equals(l0.tar));
      } finally {
        await archive.close();
      }
    }
  });

  test('an OCI archive with only index.json loads, by name and as a nested index', async () => {
    const img = base;
    const blobs: TarEntry[] = [img.layers[0]!.blob, img.config, img.manifest].map((b) => ({ name: `blobs/sha256/${hex(sha256(b))}`, body: b }));
    const index = (manifests: unknown[]) => JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
    const named = { ...img.desc, annotations: { 'org.opencontainers.image.ref.name': 'example.com/tools/base:2' } };
    const flat = await tarOf([{ name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' }, ...blobs, { name: 'index.json', body: index([named]) }]);
    const archive = await openBytes(flat);
    try {
      await assertImages(archive, { 'example.com/tools/base:2': img });
    } finally {
      await archive.close();
    }
    const inner = Buffer.from(index([named, { ...img.desc, annotations: { 'io.containerd.image.name': 'docker.io/x/y:z' } }]));
    const nested = await tarOf([...blobs, { name: `blobs/sha256/${hex(sha256(inner))}`, body: inner }, { name: 'index.json', body: index([{ mediaType: OCI_INDEX, digest: sha256(inner), size: inner.length }]) }]);
    const archive2 = await openBytes(nested);
    try {
      await assertImages(archive2, { 'example.com/tools/base:2': img, 'docker.io/x/y:z': img });
    } finally {
      await archive2.close();
    }
  });

  test('a zstd-compressed archive loads; a truncated one is corrupt (exit 6); xz and bzip2 are refused as not supported', async () => {
    const img = makeImage([await makeLayer([{ name: 'z', body: 'zstd archive' }])]);
    const chunks: Buffer[] = [];
    const out = new PassThrough().on('data', (c: Buffer) => chunks.push(c));
    const writer = new ArchiveWriter({ stream: out });
    await saveImage(writer, 'zst.example/app:1', img);
    await writer.commit();
    const zst = await zstdCompress(Buffer.concat(chunks));
    const archive = await openBytes(zst);
    try {
      await assertImages(archive, { 'zst.example/app:1': img });
    } finally {
      await archive.close();
    }
    await assert.rejects(openBytes(zst.subarray(0, zst.length - 10)), (e: unknown) => e instanceof IntegrityError && /zstd/.test(e.message));
    await assert.rejects(openBytes(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 1, 2])), (e: unknown) => e instanceof UsageError && /xz-compressed archives are not supported/.test(e.message));
    await assert.rejects(openBytes(Buffer.from('BZh91AY&SY')), (e: unknown) => e instanceof UsageError && /bzip2-compressed archives are not supported/.test(e.message));
  });

  test('zstd layers are checked against the config\'s diff_ids', async () => {
    const layer = await makeLayer([{ name: 'z', body: 'zstd layer' }], { zstd: true });
    const good = makeImage([layer]);
    const bad = makeImage([layer], { diffIds: [sha256('something else')] });
    for (const [img, ok] of [[good, true], [bad, false]] as const) {
      const chunks: Buffer[] = [];
      const writer = new ArchiveWriter({ stream: new PassThrough().on('data', (c: Buffer) => chunks.push(c)) });
      await saveImage(writer, 'zst.example/layer:1', img);
      await writer.commit();
      if (ok) {
        const archive = await openBytes(Buffer.concat(chunks));
        await archive.close();
      } else {
        await assert.rejects(openBytes(Buffer.concat(chunks)), (e: unknown) => e instanceof IntegrityError && /does not match the config/.test(e.message));
      }
    }
  });
});

describe('openArchive: hostile and corrupt archives fail with exit 6 and leave nothing', () => {
  const file = { name: 'manifest.json', body: '[]' };
  const cases: Array<[string, () => Promise<Buffer>, RegExp]> = [
    ['an entry with ..', () => tarOf([{ name: '../evil', body: 'x' }, file]), /hostile archive: entry \.\.\/evil escapes the archive/],
    ['a nested entry with ..', () => tarOf([{ name: 'a/../../evil', body: 'x' }, file]), /escapes the archive/],
    ['an absolute path', () => tarOf([{ name: '/etc/x', body: 'x' }, file]), /absolute path/],
    ['a symlink to /etc/passwd', () => tarOf([{ name: 'passwd', type: 'symlink', linkname: '/etc/passwd' }, file]), /absolute path \/etc\/passwd/],
    ['a symlink to ../../x', () => tarOf([{ name: 'a/link', type: 'symlink', linkname: '../../x' }, file]), /points outside the archive/],
    ['a hard link outside', () => tarOf([{ name: 'h', type: 'link', linkname: '../x' }, file]), /escapes the archive/],
    ['an entry through a symlink', () => tarOf([{ name: 'd', type: 'symlink', linkname: '.' }, { name: 'd/x', body: 'x' }, file]), /not a directory/],
    ['a device', () => tarOf([{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }, file]), /character-device/],
    ['a fifo', () => tarOf([{ name: 'p', type: 'fifo' }, file]), /fifo/],
    ['conflicting duplicates', () => tarOf([{ name: 'manifest.json', body: '[1]' }, file]), /appears twice/],
    ['a header size that lies (longer)', async () => withLyingSize(await tarOf([{ name: 'a', body: 'x'.repeat(600) }]), 1 << 20), /corrupt/],
    ['a header size that lies (shorter)', async () => withLyingSize(await tarOf([{ name: 'a', body: 'x'.repeat(1500) }, file]), 10), /corrupt/],
    ['a truncated tar', async () => { const t = await legacySave(base); return t.subarray(0, Math.floor(t.length / 2)); }, /corrupt/],
    ['a tar cut at an entry boundary', async () => (await tarOf([{ name: 'a', body: 'x'.repeat(512) }, file])).subarray(0, 1024), /truncated/],
    ['a truncated gzip', async () => { const g = gzipSync(await legacySave(base)); return g.subarray(0, g.length - 100); }, /gzip/],
    ['a layer that does not match diff_ids', () => legacySave(makeImage(base.layers, { diffIds: [sha256('other')] })), /does not match the config/],
    ['a blob whose content does not match its name', () => tamperedSave('x'.repeat(app.layers[1]!.desc.size)), /does not match|holds content with digest/],
    ['a blob larger than its descriptor declares', () => tamperedSave('x'.repeat(app.layers[1]!.desc.size + 1)), /holds \d+ bytes, its descriptor declares/],
  ];
  for (const [label, make, message] of cases) {
    test(label, async () => {
      const tmp = mkdtempSync(join(T, 'hostile-'));
      await assert.rejects(openBytes(await make(), tmp), (e: unknown) => {
        assert.ok(e instanceof IntegrityError, `${label}: ${String(e)}`);
        assert.equal(e.exitCode, 6);
        assert.match(e.message, message);
        return true;
      });
      assert.deepEqual(readdirSync(tmp), [], 'nothing left behind');
    });
  }

  test('a missing file is NotFound (exit 3)', async () => {
    await assert.rejects(openArchive({ path: join(T, 'nope.tar') }, T), (e: unknown) => e instanceof NotFoundError);
  });

  test('an OCI layer whose blob matches its name but not the diff_ids fails too', async () => {
    const img = makeImage(base.layers, { diffIds: [sha256('not the layer')] });
    const p = new PassThrough();
    const data = readAll(p);
    const w = new ArchiveWriter({ stream: p });
    await saveImage(w, 'bad:1', img);
    await w.commit();
    writeFileSync(join(T, 'bad-diffid.tar'), await data);
    await assert.rejects(openArchive({ path: join(T, 'bad-diffid.tar') }, T), (e: unknown) => e instanceof IntegrityError && /diff_ids\[0\]/.test(e.message));
    void OCI_MANIFEST;
  });
});

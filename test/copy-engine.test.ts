import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { copyImage } from '../src/content/copy.js';
import { MemoryTarget } from '../src/content/memory.js';
import { CopySession } from '../src/content/session.js';
import { writeTo, type DestinationTarget } from '../src/content/target.js';
import { IntegrityError, NotFoundError } from '../src/errors.js';
import type { Descriptor } from '../src/oci/manifest.js';

// The copy engine over in-memory targets: what it asks for, in which order, and what it leaves to its caller.

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const FOREIGN = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

/** Puts an image (config + layers with these contents) into `mem`: its manifest descriptor. */
function putImage(mem: MemoryTarget, layers: string[], opts: { arch?: string; tag?: string; foreign?: string } = {}): Descriptor {
  const config = mem.putBlob(JSON.stringify({ os: 'linux', architecture: opts.arch ?? 'amd64', config: { Labels: { of: layers.join(',') } }, rootfs: { type: 'layers', diff_ids: [] } }), OCI_CONFIG);
  const descs = layers.map((l) => mem.putBlob(l, LAYER));
  if (opts.foreign !== undefined) {
    const data = Buffer.from(opts.foreign);
    descs.push({ ...mem.putBlob(data, FOREIGN), urls: ['https://example.invalid/foreign.tar.gz'] });
  }
  return { ...mem.putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: descs }, opts.tag) };
}

/** An index over images of these architectures (one distinct layer each). */
function putIndex(mem: MemoryTarget, archs: string[], tag?: string): { index: Descriptor; children: Descriptor[] } {
  const children = archs.map((arch) => ({ ...putImage(mem, [`layer of ${arch}`], { arch }), platform: { os: 'linux', architecture: arch } }));
  return { index: mem.putManifest({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children }, tag), children };
}

/** A signature-like artifact referring to `subject`. */
function putReferrer(mem: MemoryTarget, subject: Descriptor, what: string): Descriptor {
  const config = mem.putBlob('{}', 'application/vnd.oci.empty.v1+json');
  const layer = mem.putBlob(what, 'application/vnd.dev.cosign.simplesigning.v1+json');
  const s = { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
  return mem.putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.test.sig', config, layers: [layer], subject: s });
}

const pushedManifests = (dst: MemoryTarget) => dst.calls.filter((c) => c.startsWith('pushManifest ')).map((c) => c.split(' ')[1]);

describe('copy engine over MemoryTarget', () => {
  test('plan order: blobs first, an index after its children, referrers after their subject', async () => {
    const src = new MemoryTarget('src');
    const { index, children } = putIndex(src, ['amd64', 'arm64'], 'v1');
    const sig = putReferrer(src, children[0]!, 'signature of amd64');
    const indexSig = putReferrer(src, index, 'signature of the index');
    const dst = new MemoryTarget('dst');
    await writeTo(dst, (d) => copyImage(src.source('v1'), d, { tag: 'v1', referrers: true }));
    const order = pushedManifests(dst);
    const at = (d: Descriptor) => order.indexOf(d.digest);
    assert.deepEqual([...order].sort(), [index, ...children, sig, indexSig].map((d) => d.digest).sort(), 'every manifest once');
    for (const child of children) assert.ok(at(child) < at(index), 'a child before its index');
    assert.ok(at(children[0]!) < at(sig), 'a referrer after its subject');
    assert.ok(at(index) < at(indexSig), 'the index before its own referrer');
    const firstManifest = dst.calls.findIndex((c) => c.startsWith('pushManifest '));
    const lastBlob = dst.calls.length - 1 - [...dst.calls].reverse().findIndex((c) => c.startsWith('pushBlob '));
    assert.ok(lastBlob < firstManifest, 'every blob is in place before any manifest names it');
    assert.ok(dst.calls.includes(`pushManifest ${index.digest} v1 top`), 'the index is the top, tagged');
    assert.equal(dst.tags.get('v1'), index.digest);
  });

  test('without referrers: only the image, no referrer asked for or copied', async () => {
    const src = new MemoryTarget('src');
    const image = putImage(src, ['a'], { tag: 'v1' });
    const sig = putReferrer(src, image, 'sig');
    const dst = new MemoryTarget('dst');
    await writeTo(dst, (d) => copyImage(src.source('v1'), d, { tag: 'v1' }));
    assert.deepEqual(pushedManifests(dst), [image.digest]);
    assert.ok(!dst.manifests.has(sig.digest));
  });

  test('the caller owns the destination: the engine never commits or aborts, on success or failure', async () => {
    const src = new MemoryTarget('src');
    const image = putImage(src, ['layer one', 'layer two'], { tag: 'v1' });
    const dst = new MemoryTarget('dst');
    await copyImage(src.source('v1'), dst, { tag: 'v1' });
    assert.ok(!dst.calls.includes('commit') && !dst.calls.includes('abort'));
    assert.equal(dst.tags.get('v1'), undefined, 'the tag waits for the owner to commit');
    await dst.commit();
    assert.equal(dst.tags.get('v1'), image.digest);

    // A blob that does not match its digest fails the copy; the engine leaves the destination to its owner.
    const layer = [...src.blobs.entries()].find(([, b]) => b.toString() === 'layer one')![0];
    src.blobs.set(layer, Buffer.from('layer ONE'));
    const broken = new MemoryTarget('broken');
    await assert.rejects(copyImage(src.source('v1'), broken, { tag: 'v1' }), IntegrityError);
    assert.ok(!broken.calls.includes('commit') && !broken.calls.includes('abort'));
    assert.deepEqual(pushedManifests(broken), [], 'no manifest names what failed');
    const owned = new MemoryTarget('owned');
    await assert.rejects(writeTo(owned, (d) => copyImage(src.source('v1'), d, { tag: 'v1' })), IntegrityError);
    assert.equal(owned.calls.at(-1), 'abort', 'writeTo aborts for its caller');
    assert.equal(owned.tags.size, 0);
  });

  test('a shared CopySession sends a blob several images share once', async () => {
    const src = new MemoryTarget('src');
    const shared = 'base layer all images share';
    for (let i = 0; i < 5; i++) putImage(src, [shared, `own layer ${i}`], { tag: `t${i}` });
    const dst = new MemoryTarget('dst');
    const session = new CopySession(4);
    await Promise.all([0, 1, 2, 3, 4].map((i) => writeTo(dst, (d) => copyImage(src.source(`t${i}`), d, { tag: `t${i}`, session }))));
    const sharedDigest = [...src.blobs.entries()].find(([, b]) => b.toString() === shared)![0];
    assert.equal(dst.calls.filter((c) => c === `pushBlob ${sharedDigest}`).length, 1, 'the shared layer is sent once');
    assert.equal(dst.tags.size, 5);
  });

  test('a shared CopySession holds blobs in flight to its limit across all images', async () => {
    const src = new MemoryTarget('src');
    for (let i = 0; i < 3; i++) putImage(src, [`a${i}`, `b${i}`, `c${i}`, `d${i}`], { tag: `t${i}` });
    const counted = inFlightCounter(new MemoryTarget('dst'));
    const session = new CopySession(3);
    await Promise.all([0, 1, 2].map((i) => copyImage(src.source(`t${i}`), counted.dst, { tag: `t${i}`, session })));
    assert.equal(counted.total(), 15, '3 images × (4 layers + config)');
    assert.equal(counted.max(), 3, 'never more than the session allows, and the limit is used');
    const alone = inFlightCounter(new MemoryTarget('dst2'));
    await Promise.all([0, 1, 2].map((i) => copyImage(src.source(`t${i}`), alone.dst, { tag: `t${i}`, jobs: 3 })));
    assert.ok(alone.max() > 3, `separate sessions each have their own limit (max ${alone.max()})`);
  });

  test('platform: picks the image out of an index; none matching is NotFound; strict checks a single image', async () => {
    const src = new MemoryTarget('src');
    const { children } = putIndex(src, ['amd64', 'arm64'], 'multi');
    putImage(src, ['amd64 only'], { tag: 'single' });
    const arm = await copyImage(src.source('multi'), new MemoryTarget(), { platform: { os: 'linux', architecture: 'arm64' }, tag: 'x' });
    assert.equal(arm.digest, children[1]!.digest);
    await assert.rejects(copyImage(src.source('multi'), new MemoryTarget(), { platform: { os: 'linux', architecture: 's390x' } }),
      (e) => e instanceof NotFoundError && /s390x/.test(e.message));
    const want = { os: 'linux', architecture: 'arm64' };
    // Not strict (the host's platform by default, like docker): a single image is taken as it is.
    const lax = new MemoryTarget();
    await copyImage(src.source('single'), lax, { platform: want });
    assert.equal(pushedManifests(lax).length, 1);
    // Strict (an explicit --platform): a single image of another platform is NotFound, and nothing is sent.
    const strict = new MemoryTarget();
    await assert.rejects(copyImage(src.source('single'), strict, { platform: want, strictPlatform: true }),
      (e) => e instanceof NotFoundError && /single-platform image for linux\/amd64, not linux\/arm64/.test(e.message));
    assert.deepEqual(strict.calls.filter((c) => c.startsWith('push')), []);
  });

  test('non-distributable (foreign) layers are skipped unless asked for', async () => {
    const src = new MemoryTarget('src');
    putImage(src, ['ordinary'], { tag: 'win', foreign: 'windows base layer' });
    const foreign = [...src.blobs.entries()].find(([, b]) => b.toString() === 'windows base layer')![0];
    const plans: number[] = [];
    const skipped = new MemoryTarget();
    await copyImage(src.source('win'), skipped, { onProgress: (e) => e.kind === 'plan' && plans.push(e.blobs.length) });
    assert.ok(!skipped.blobs.has(foreign), 'not sent');
    assert.ok(!skipped.calls.includes(`hasBlob ${foreign}`), 'not even asked about');
    assert.deepEqual(plans, [2], 'config and the ordinary layer');
    const included = new MemoryTarget();
    await copyImage(src.source('win'), included, { includeNondistributable: true });
    assert.ok(included.blobs.has(foreign));
  });

  test('unchanged: a tag already naming the manifest sends nothing; a new tag sends only the manifest and is not "unchanged"', async () => {
    const src = new MemoryTarget('src');
    const image = putImage(src, ['a', 'b'], { tag: 'v1' });
    const dst = new MemoryTarget('dst');
    const first = await writeTo(dst, (d) => copyImage(src.source('v1'), d, { tag: 'v1' }));
    assert.equal(first.unchanged, false);
    assert.equal(first.blobs.pushed, 3);
    dst.calls.length = 0;
    const again = await writeTo(dst, (d) => copyImage(src.source('v1'), d, { tag: 'v1' }));
    assert.equal(again.unchanged, true);
    assert.deepEqual(dst.calls.filter((c) => c !== 'commit'), ['tagDigest v1'], 'one question, nothing sent');
    dst.calls.length = 0;
    const retag = await writeTo(dst, (d) => copyImage(src.source('v1'), d, { tag: 'v2' }));
    assert.equal(retag.unchanged, false, 'blobs and manifest were there, but a new tag was written');
    assert.deepEqual(dst.calls.filter((c) => c.startsWith('pushBlob')), []);
    assert.deepEqual(pushedManifests(dst), [image.digest], 'the manifest is written under the new tag');
    assert.equal(dst.tags.get('v2'), image.digest);
  });

  test('unchanged: one platform of an index whose whole index the tag already names keeps the index', async () => {
    const src = new MemoryTarget('src');
    const { index, children } = putIndex(src, ['amd64', 'arm64'], 'v1');
    const dst = new MemoryTarget('dst');
    await writeTo(dst, (d) => copyImage(src.source('v1'), d, { tag: 'v1' }));
    dst.calls.length = 0;
    const one = await writeTo(dst, (d) => copyImage(src.source('v1'), d, { tag: 'v1', platform: { os: 'linux', architecture: 'arm64' } }));
    assert.equal(one.unchanged, true);
    assert.equal(one.digest, children[1]!.digest);
    assert.equal(one.sourceDigest, index.digest);
    assert.deepEqual(pushedManifests(dst), []);
    assert.equal(dst.tags.get('v1'), index.digest, 'the tag still names the whole index');
  });
});

/** Wraps a destination to count blob pushes in flight (each push yields a few turns so pushes overlap). */
function inFlightCounter(inner: MemoryTarget): { dst: DestinationTarget; max(): number; total(): number } {
  let now = 0;
  let max = 0;
  let total = 0;
  const dst: DestinationTarget = {
    description: inner.description,
    hasBlob: (d) => inner.hasBlob(d),
    hasManifest: (d) => inner.hasManifest(d),
    tagDigest: (t) => inner.tagDigest(t),
    pushManifest: (d, b, how) => inner.pushManifest(d, b, how),
    async pushBlob(desc: Descriptor, open: () => Promise<Readable>) {
      now++;
      total++;
      max = Math.max(max, now);
      try {
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
        return await inner.pushBlob(desc, open);
      } finally {
        now--;
      }
    },
  };
  return { dst, max: () => max, total: () => total };
}

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { copyImage } from '../src/content/copy.js';
import { MemoryTarget } from '../src/content/memory.js';
import { addReferrers, referrersTag } from '../src/content/referrers.js';
import { writeTo } from '../src/content/target.js';
import { OciLayout } from '../src/store/layout.js';
import { layoutDestination, layoutSource } from '../src/store/layout-target.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('referrers tag schema', () => {
  test('tags follow the distribution spec table (truncation, replaced characters)', () => {
    const a64 = 'a'.repeat(64);
    assert.equal(referrersTag(`sha256:${a64}`), `sha256-${a64}`);
    assert.equal(referrersTag(`sha512:${'a'.repeat(128)}`), `sha512-${a64}`);
    assert.equal(
      referrersTag('test+algorithm+using+algorithm+separators+and+lots+of+characters+to+excercise+overall+truncation:alsoSome=InTheEncodedSectionToShowHyphenReplacementAndLotsAndLotsOfCharactersToExcerciseEncodedTruncation'),
      'test-algorithm-using-algorithm-s-alsoSome-InTheEncodedSectionToShowHyphenReplacementAndLotsAndLot',
    );
  });

  test('an index is started when the tag is missing, appended to, never given a duplicate, and kept otherwise', () => {
    const one = { mediaType: OCI_MANIFEST, digest: `sha256:${'1'.repeat(64)}`, size: 10, artifactType: 'application/spdx+json', annotations: { k: 'v' } };
    const two = { mediaType: OCI_MANIFEST, digest: `sha256:${'2'.repeat(64)}`, size: 20 };
    const first = addReferrers(undefined, [one, one], 'test')!;
    assert.deepEqual(JSON.parse(first.toString()), { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [one] });
    assert.equal(addReferrers(first, [one], 'test'), undefined, 'nothing new: nothing to push');
    const withExtra = Buffer.from(JSON.stringify({ ...JSON.parse(first.toString()), annotations: { keep: 'me' } }));
    const next = JSON.parse(addReferrers(withExtra, [two, one], 'test')!.toString());
    assert.deepEqual(next.manifests, [one, two]);
    assert.deepEqual(next.annotations, { keep: 'me' });
  });
});

/** An image in memory with an SBOM referring to it, a signature of the SBOM and a cosign `.sig` tag. */
function seeded(): { mem: MemoryTarget; image: { digest: string }; sbom: { digest: string }; sbomSig: { digest: string }; sig: { digest: string } } {
  const mem = new MemoryTarget('src');
  const config = mem.putBlob('{"os":"linux","architecture":"amd64"}', 'application/vnd.oci.image.config.v1+json');
  const layer = mem.putBlob('layer', 'application/vnd.oci.image.layer.v1.tar');
  const image = mem.putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }, 'v1');
  const empty = mem.putBlob('{}', 'application/vnd.oci.empty.v1+json');
  const file = mem.putBlob('{"spdxVersion":"SPDX-2.3"}', 'application/spdx+json');
  const subject = { mediaType: image.mediaType, digest: image.digest, size: image.size };
  const sbom = mem.putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/spdx+json', config: empty, layers: [file], subject });
  const sbomSig = mem.putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example.sig', config: empty, layers: [], subject: { mediaType: OCI_MANIFEST, digest: sbom.digest, size: sbom.size } });
  const sig = mem.putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: empty, layers: [] }, `${referrersTag(image.digest)}.sig`);
  return { mem, image, sbom, sbomSig, sig };
}

describe('copy engine with referrers', () => {
  test('copies every referrer, recursively, after its subject, with cosign tags; nothing of it without the option', async () => {
    const { mem, image, sbom, sbomSig, sig } = seeded();
    const plain = new MemoryTarget('plain');
    await writeTo(plain, (dst) => copyImage(mem.source('v1'), dst, { tag: 'v1' }));
    assert.deepEqual([...plain.manifests.keys()], [image.digest]);

    const dst = new MemoryTarget('dst');
    await writeTo(dst, (d) => copyImage(mem.source('v1'), d, { tag: 'v1', referrers: true }));
    const pushes = dst.calls.filter((c) => c.startsWith('pushManifest')).map((c) => c.split(' ').slice(1).join(' '));
    assert.deepEqual(pushes, [`${image.digest} v1 top`, sbom.digest, sbomSig.digest, `${sig.digest} ${referrersTag(image.digest)}.sig`]);
    assert.equal(dst.tags.get(`${referrersTag(image.digest)}.sig`), sig.digest);
  });

  test('referrers of manifests the destination already holds are still copied; a complete destination gets nothing', async () => {
    const { mem, image, sbomSig } = seeded();
    const dst = new MemoryTarget('dst');
    await writeTo(dst, (d) => copyImage(mem.source('v1'), d, { tag: 'v1', referrers: true }));
    dst.manifests.delete(sbomSig.digest); // as if the SBOM's signature had been added after the first copy
    dst.calls.length = 0;
    await writeTo(dst, (d) => copyImage(mem.source('v1'), d, { tag: 'v1', referrers: true }));
    assert.deepEqual(dst.calls.filter((c) => c.startsWith('pushManifest')), [`pushManifest ${sbomSig.digest}`]);
    dst.calls.length = 0;
    const again = await writeTo(dst, (d) => copyImage(mem.source('v1'), d, { tag: 'v1', referrers: true }));
    assert.deepEqual(dst.calls.filter((c) => c.startsWith('push')), []);
    assert.equal(again.unchanged, true);
    assert.ok(dst.manifests.has(image.digest));
  });

  test('an OCI layout records referrers in the referrers tag at commit, and abort records nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'regctl-layout-referrers-'));
    try {
      const { mem, image, sbom, sbomSig, sig } = seeded();
      const layout = await OciLayout.open(dir, { create: true });
      await assert.rejects(writeTo(layoutDestination(layout, 'oci'), async (d) => {
        await copyImage(mem.source('v1'), d, { tag: 'v1', referrers: true });
        throw new Error('interrupted');
      }), /interrupted/);
      assert.deepEqual(await layout.list(), []);
      await writeTo(layoutDestination(layout, 'oci'), (d) => copyImage(mem.source('v1'), d, { tag: 'v1', referrers: true }));
      const src = layoutSource(layout, 'v1', () => 'oci');
      const top = await src.resolve();
      assert.equal(top.digest, image.digest);
      assert.deepEqual((await src.referrers!(top)).map((r) => [r.desc.digest, r.desc.artifactType, r.tag]), [
        [sbom.digest, 'application/spdx+json', undefined],
        [sig.digest, 'application/vnd.oci.empty.v1+json', `${referrersTag(image.digest)}.sig`],
      ]);
      assert.deepEqual((await src.referrers!({ ...top, digest: sbom.digest })).map((r) => r.desc.digest), [sbomSig.digest]);
      assert.deepEqual((await src.referrers!(top, { artifactType: 'application/spdx+json' })).map((r) => r.desc.digest), [sbom.digest]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

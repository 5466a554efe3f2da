import { Readable } from 'node:stream';
import type { BlobPushResult, DestinationTarget, SourceTarget } from '../content/target.js';
import type { Descriptor } from '../oci/manifest.js';
import { verifyBytes } from '../oci/digest.js';
import { isLayoutDigest } from '../oci/layout-format.js';
import { subjectOf } from '../content/referrers.js';
import { createLease, type Lease } from './lease.js';
import { layoutReferrers, recordLayoutReferrers } from './layout-referrers.js';
import { entryName, type OciLayout } from './layout.js';

/**
 * Reads the image called `name` (a full image name or a plain tag, see OciLayout.resolve) from a layout;
 * without a name, the layout's only image. Blobs are opened lazily and streamed.
 */
export function layoutSource(layout: OciLayout, name: string | undefined, describe: (name?: string) => string): SourceTarget {
  const resolve = () => (name !== undefined && isLayoutDigest(name) ? layout.resolveDigest(name) : layout.resolve(name));
  return {
    description: describe(name),
    resolve,
    head: resolve,
    hasManifest: (desc: Descriptor) => layout.hasBlob(desc),
    fetchManifest: (desc: Descriptor) => layout.readBlob(desc),
    fetchBlob: async (desc: Descriptor, offset = 0) => ({ stream: await layout.openBlob(desc, offset), resumed: offset > 0 }),
    blobSize: (desc: Descriptor) => layout.blobSize(desc),
    listTags: async () => [...new Set((await layout.list()).map(entryName).filter((n): n is string => n !== undefined))].sort(),
    at: (reference) => layoutSource(layout, reference, describe),
    referrers: (subject, filter) => layoutReferrers(layout, subject, filter),
  };
}

/**
 * Writes into a layout. Blobs and manifests land as blobs at once (each atomically); names are recorded in
 * index.json only at commit(), under the layout's lock: each manifest pushed with a name (`how.tag`: the top one's
 * name as the copy gives it — a ref name, or the store's full image name — and cosign's digest tags) under it,
 * and manifests with a `subject` in their subject's referrers-tag index (layout-referrers.ts). abort() drops the
 * pending names. A top manifest with no name is recorded as an unnamed entry (kept by digest). With `plain` (user
 * layouts), names are written as ref names only, the way skopeo and umoci write them.
 * While the transfer runs, a lease keeps a concurrent gc from removing the blobs it wrote or reused.
 */
export function layoutDestination(layout: OciLayout, description: string, opts: { plain?: boolean } = {}): DestinationTarget {
  const pending = new Map<string, Descriptor>();
  let unnamed: Descriptor | undefined;
  const referrers: Array<{ subject: Descriptor; entry: Descriptor }> = [];
  let lease: Promise<Lease> | undefined;
  const hold = (): Promise<Lease> => (lease ??= createLease(layout.dir));
  const release = async (): Promise<void> => {
    const held = lease;
    lease = undefined;
    if (held) await (await held).release();
  };
  // A blob found present will be relied on: touching it puts it under this transfer's lease. If it vanished in
  // between (a concurrent gc), it is reported absent and written after all.
  const reuse = async (desc: Descriptor): Promise<boolean> => {
    await hold();
    return (await layout.hasBlob(desc)) && (await layout.touchBlob(desc));
  };

  return {
    description,
    hasBlob: reuse,
    hasManifest: reuse,

    async tagDigest(tag) {
      return layout.resolve(tag).then((d) => d.digest, () => undefined);
    },

    async listedReferrers(subject) {
      return (await layoutReferrers(layout, subject)).filter((r) => !r.tag).map((r) => r.desc.digest);
    },

    async pushBlob(desc, open): Promise<BlobPushResult> {
      if (await reuse(desc)) return 'exists';
      await layout.writeBlob(desc, (offset) => open(offset));
      return 'pushed';
    },

    async pushManifest(desc, bytes, how = {}) {
      verifyBytes(desc, bytes, `${description}: manifest ${desc.digest}`);
      if (!(await reuse(desc))) await layout.writeBlob(desc, Readable.from([bytes]));
      const as = how.tag;
      if (as !== undefined) pending.set(as, { mediaType: desc.mediaType, digest: desc.digest, size: desc.size });
      else if (how.top) unnamed = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
      const referrer = subjectOf(desc, bytes, `${description}: manifest ${desc.digest}`);
      if (referrer) referrers.push(referrer);
    },

    async commit() {
      try {
        for (const [as, desc] of pending) await layout.tag(as, desc, opts.plain ? { plain: true } : {});
        if (unnamed) await layout.addUnnamed(unnamed);
        pending.clear();
        unnamed = undefined;
        await recordLayoutReferrers(layout, referrers.splice(0));
      } finally {
        await release();
      }
    },

    async abort() {
      pending.clear();
      unnamed = undefined;
      referrers.length = 0;
      await release();
    },

    close: release,
  };
}

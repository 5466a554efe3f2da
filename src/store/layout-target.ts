import { Readable } from 'node:stream';
import { IntegrityError } from '../errors.js';
import type { BlobPushResult, DestinationTarget, SourceTarget } from '../content/target.js';
import type { Descriptor } from '../oci/manifest.js';
import { digestLike } from '../oci/digest.js';
import { createLease, type Lease } from './lease.js';
import type { OciLayout } from './layout.js';

/**
 * Reads the image called `name` (a full image name or a plain tag, see OciLayout.resolve) from a layout;
 * without a name, the layout's only image. Blobs are opened lazily and streamed.
 */
export function layoutSource(layout: OciLayout, name: string | undefined, description: string): SourceTarget {
  return {
    description,
    resolve: () => layout.resolve(name),
    fetchManifest: (desc: Descriptor) => layout.readBlob(desc),
    fetchBlob: async (desc: Descriptor, offset = 0) => ({ stream: await layout.openBlob(desc, offset), resumed: offset > 0 }),
  };
}

/**
 * Writes into a layout. Blobs and manifests land as blobs at once (each atomically); the top-level manifest's
 * name is recorded in index.json only at commit(), under the layout's lock, as `name` (or, without a name, the
 * `tag` the copy passes). A manifest pushed without a tag is only a blob. abort() drops the pending name.
 * While the transfer runs, a lease keeps a concurrent gc from removing the blobs it wrote or reused.
 */
export function layoutDestination(layout: OciLayout, name: string | undefined, description: string): DestinationTarget {
  const pending = new Map<string, Descriptor>();
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
      return layout.resolve(name ?? tag).then((d) => d.digest, () => undefined);
    },

    async pushBlob(desc, open): Promise<BlobPushResult> {
      if (await reuse(desc)) return 'exists';
      await layout.writeBlob(desc, await open());
      return 'pushed';
    },

    async pushManifest(desc, bytes, tag) {
      if (bytes.length !== desc.size || digestLike(desc.digest, bytes) !== desc.digest) {
        throw new IntegrityError(`${description}: manifest bytes do not match ${desc.digest} (${desc.size} bytes)`, { code: 'ERR_DIGEST_MISMATCH' });
      }
      if (!(await reuse(desc))) await layout.writeBlob(desc, Readable.from([bytes]));
      const as = tag === undefined ? undefined : (name ?? tag);
      if (as !== undefined) pending.set(as, { mediaType: desc.mediaType, digest: desc.digest, size: desc.size });
    },

    async commit() {
      try {
        for (const [as, desc] of pending) await layout.tag(as, desc);
        pending.clear();
      } finally {
        await release();
      }
    },

    async abort() {
      pending.clear();
      await release();
    },

    close: release,
  };
}

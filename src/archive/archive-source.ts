import type { Readable } from 'node:stream';
import type { SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import type { Descriptor } from '../oci/manifest.js';
import type { ArchiveBlobs } from './blob-store.js';

/**
 * One image of an opened archive as a copy source. Blobs are read from the extracted files and checked
 * against their digest as they stream (a resumed read from an offset is left to the caller's check).
 */
export class ArchiveSource implements SourceTarget {
  constructor(
    readonly description: string,
    private readonly top: Descriptor,
    private readonly blobs: ArchiveBlobs,
  ) {}

  async resolve(): Promise<Descriptor> {
    return { ...this.top };
  }

  head(): Promise<Descriptor> {
    return this.resolve();
  }

  async hasManifest(desc: Descriptor): Promise<boolean> {
    return this.blobs.has(desc.digest);
  }

  /** The size of the blob as extracted (undefined when the archive lacks it). */
  async blobSize(desc: Descriptor): Promise<number | undefined> {
    return this.blobs.size(desc.digest);
  }

  /** The bytes as extracted; the copy engine checks them against the descriptor (content/resolve.ts readManifest). */
  fetchManifest(desc: Descriptor): Promise<Buffer> {
    return this.blobs.read(desc.digest, 'manifest');
  }

  async fetchBlob(desc: Descriptor, offset = 0): Promise<{ stream: Readable; resumed: boolean }> {
    const raw = this.blobs.open(desc.digest, offset);
    if (offset > 0) return { stream: raw, resumed: true };
    return { stream: verified(raw, desc, `blob ${desc.digest} in ${this.description}`), resumed: false };
  }
}

import type { Readable } from 'node:stream';
import type { SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import { IntegrityError } from '../errors.js';
import { digestLike } from '../oci/digest.js';
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

  async hasManifest(desc: Descriptor): Promise<boolean> {
    return this.blobs.has(desc.digest);
  }

  async fetchManifest(desc: Descriptor): Promise<Buffer> {
    const bytes = await this.blobs.read(desc.digest, 'manifest');
    if (digestLike(desc.digest, bytes) !== desc.digest) {
      throw new IntegrityError(`manifest ${desc.digest} in ${this.description}: digest mismatch`, { code: 'ERR_DIGEST_MISMATCH' });
    }
    return bytes;
  }

  async fetchBlob(desc: Descriptor, offset = 0): Promise<{ stream: Readable; resumed: boolean }> {
    const raw = this.blobs.open(desc.digest, offset);
    if (offset > 0) return { stream: raw, resumed: true };
    return { stream: verified(raw, desc, `blob ${desc.digest} in ${this.description}`), resumed: false };
  }
}

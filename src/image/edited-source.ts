import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { SourceTarget } from '../content/target.js';
import { sha256Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';

/**
 * A source image with changes on top: new manifests and configs held in memory, new layers in temp files, and
 * everything else read from the original source. The copy engine writes it to any destination like any source;
 * blobs the edit kept are read (or mounted) from where they were.
 */
export class EditedSource implements SourceTarget {
  readonly description: string;
  readonly blobSource: SourceTarget['blobSource'];
  private readonly manifests = new Map<string, Buffer>();
  private readonly blobs = new Map<string, Buffer | { path: string } | SourceTarget>();
  private topDesc?: Descriptor;

  constructor(private readonly base: SourceTarget) {
    this.description = base.description;
    this.blobSource = base.blobSource;
  }

  /** Adds a manifest (or index): its descriptor. */
  addManifest(mediaType: string, doc: object): Descriptor {
    const bytes = Buffer.from(JSON.stringify(doc));
    const desc = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
    this.manifests.set(desc.digest, bytes);
    return desc;
  }

  /** Adds a small blob (a config): its descriptor. */
  addBlob(mediaType: string, bytes: Buffer): Descriptor {
    const desc = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
    this.blobs.set(desc.digest, bytes);
    return desc;
  }

  /** Adds a blob written to a file (a new layer). */
  addFile(digest: string, path: string): void {
    this.blobs.set(digest, { path });
  }

  /** Adds a blob another source holds (a new base's layer). */
  addFrom(digest: string, from: SourceTarget): void {
    this.blobs.set(digest, from);
  }

  /** Sets what resolve() answers: the changed image or index. */
  setTop(desc: Descriptor): void {
    this.topDesc = desc;
  }

  async resolve(): Promise<Descriptor> {
    return this.topDesc ?? this.base.resolve();
  }

  head(): Promise<Descriptor> {
    return this.resolve();
  }

  async fetchManifest(desc: Descriptor): Promise<Buffer> {
    return this.manifests.get(desc.digest) ?? this.base.fetchManifest(desc);
  }

  async fetchBlob(desc: Descriptor, offset = 0): Promise<{ stream: Readable; resumed: boolean }> {
    const own = this.blobs.get(desc.digest);
    if (!own) return this.base.fetchBlob(desc, offset);
    if (Buffer.isBuffer(own)) return { stream: Readable.from([own.subarray(offset)]), resumed: true };
    if ('fetchBlob' in own) return own.fetchBlob(desc, offset);
    return { stream: createReadStream(own.path, { start: offset }), resumed: true };
  }

  async hasManifest(desc: Descriptor): Promise<boolean> {
    return this.manifests.has(desc.digest) || (this.base.hasManifest ? this.base.hasManifest(desc) : true);
  }
}

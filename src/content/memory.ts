import { Readable } from 'node:stream';
import { NotFoundError } from '../errors.js';
import { sha256Digest, verifyBytes } from '../oci/digest.js';
import { parseManifest, type Descriptor } from '../oci/manifest.js';
import { isDigest } from '../ref/selector.js';
import { cosignTags, filterReferrers, referrerDescriptor } from './referrers.js';
import type { BlobPushResult, DestinationTarget, ManifestPush, Referrer, SourceTarget } from './target.js';

/**
 * Images held in memory: a destination the copy engine writes to and, through {@link source}, a source it reads
 * from (referrers: manifests whose `subject` is the image, and cosign's digest tags). Tags pushed are staged
 * until commit() (abort() drops them), like every other destination. Every call is logged in {@link calls}, so
 * tests can tell what the engine asked for.
 */
export class MemoryTarget implements DestinationTarget {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { desc: Descriptor; bytes: Buffer }>();
  readonly tags = new Map<string, string>();
  readonly calls: string[] = [];
  private readonly staged = new Map<string, string>();

  constructor(readonly description = 'memory') {}

  /** Adds a blob directly (test setup): its descriptor. */
  putBlob(bytes: Buffer | string, mediaType = 'application/octet-stream'): Descriptor {
    const data = Buffer.from(bytes);
    const desc = { mediaType, digest: sha256Digest(data), size: data.length };
    this.blobs.set(desc.digest, data);
    return desc;
  }

  /** Adds a manifest directly (test setup), tagged at once when `tag` is given: its descriptor. */
  putManifest(doc: object, tag?: string): Descriptor {
    const bytes = Buffer.from(JSON.stringify(doc));
    const mediaType = (doc as { mediaType?: string }).mediaType ?? '';
    const desc = { mediaType, digest: sha256Digest(bytes), size: bytes.length };
    this.manifests.set(desc.digest, { desc, bytes });
    if (tag) this.tags.set(tag, desc.digest);
    return desc;
  }

  async hasBlob(desc: Descriptor): Promise<boolean> {
    this.calls.push(`hasBlob ${desc.digest}`);
    return this.blobs.get(desc.digest)?.length === desc.size;
  }

  async pushBlob(desc: Descriptor, open: () => Promise<Readable>): Promise<BlobPushResult> {
    this.calls.push(`pushBlob ${desc.digest}`);
    const chunks: Buffer[] = [];
    for await (const chunk of await open()) chunks.push(chunk as Buffer);
    this.blobs.set(desc.digest, verifyBytes(desc, Buffer.concat(chunks), `blob ${desc.digest}`));
    return 'pushed';
  }

  async hasManifest(desc: Descriptor): Promise<boolean> {
    this.calls.push(`hasManifest ${desc.digest}`);
    return this.manifests.has(desc.digest);
  }

  async tagDigest(tag: string): Promise<string | undefined> {
    this.calls.push(`tagDigest ${tag}`);
    return this.tags.get(tag);
  }

  async pushManifest(desc: Descriptor, bytes: Buffer, how: ManifestPush = {}): Promise<void> {
    this.calls.push(`pushManifest ${desc.digest}${how.tag ? ` ${how.tag}` : ''}${how.top ? ' top' : ''}`);
    verifyBytes(desc, bytes, `manifest ${desc.digest}`);
    this.manifests.set(desc.digest, { desc: { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }, bytes });
    if (how.tag) this.staged.set(how.tag, desc.digest);
  }

  async commit(): Promise<void> {
    this.calls.push('commit');
    for (const [tag, digest] of this.staged) this.tags.set(tag, digest);
    this.staged.clear();
  }

  async abort(): Promise<void> {
    this.calls.push('abort');
    this.staged.clear();
  }

  /** The image at `reference` (a tag or a digest) as a copy source over this memory. */
  source(reference: string): SourceTarget {
    const self = this;
    return {
      description: `${this.description}:${reference}`,
      async resolve() {
        const digest = isDigest(reference) ? reference : self.tags.get(reference);
        const m = digest === undefined ? undefined : self.manifests.get(digest);
        if (!m) throw new NotFoundError(`${reference} not found in ${self.description}`);
        return { ...m.desc };
      },
      head() {
        return this.resolve();
      },
      async fetchManifest(desc) {
        const m = self.manifests.get(desc.digest);
        if (!m) throw new NotFoundError(`manifest ${desc.digest} not found in ${self.description}`);
        return m.bytes;
      },
      async fetchBlob(desc, offset = 0) {
        const b = self.blobs.get(desc.digest);
        if (!b) throw new NotFoundError(`blob ${desc.digest} not found in ${self.description}`);
        return { stream: Readable.from([b.subarray(offset)]), resumed: true };
      },
      async listTags() {
        return [...self.tags.keys()].sort();
      },
      at: (ref) => self.source(ref),
      async referrers(subject, filter = {}): Promise<Referrer[]> {
        const out: Referrer[] = [];
        for (const { desc, bytes } of self.manifests.values()) {
          const doc = parseManifest(bytes, desc.mediaType, desc.digest);
          if (doc.subject?.digest === subject.digest) out.push({ desc: referrerDescriptor(desc, doc) });
        }
        for (const tag of cosignTags(subject.digest, self.tags.keys())) {
          const { desc, bytes } = self.manifests.get(self.tags.get(tag)!)!;
          out.push({ desc: referrerDescriptor(desc, parseManifest(bytes, desc.mediaType, tag)), tag });
        }
        return filterReferrers(out, filter.artifactType);
      },
    };
  }
}

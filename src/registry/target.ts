import type { Readable } from 'node:stream';
import { cosignTags, filterReferrers, referrerDescriptor, subjectOf } from '../content/referrers.js';
import type { BlobPushResult, BlobSource, DestinationTarget, ManifestPush, Referrer, ReferrerFilter, SourceTarget } from '../content/target.js';
import { parseManifest } from '../oci/manifest.js';
import type { Descriptor } from '../oci/manifest.js';
import { RegistryError } from '../errors.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { pushScope } from '../transport/scope.js';
import { downloadBlob } from './blob-download.js';
import { headBlobSize } from './blobs.js';
import { blobExists, mountBlob, uploadBlob } from './blob-upload.js';
import { currentDigest, getManifest, headManifest, putManifest } from './manifests.js';
import { listReferrers, recordReferrers } from './referrers.js';
import { listTags } from './tags.js';
import { joinSelector } from '../ref/selector.js';

/** One repository of a registry as a copy source, pointed at a tag or digest. */
export class RegistrySource implements SourceTarget {
  readonly description: string;
  readonly blobSource: BlobSource;

  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly reference: string,
    name: string,
    /** What is known of the repository, shared by the sources `at` other references: its tags, read once. */
    private readonly repo: { tags?: Promise<string[]> } = {},
  ) {
    this.description = name;
    this.blobSource = { registry: client.registry, repository };
  }

  async resolve(): Promise<Descriptor> {
    const m = await getManifest(this.client, this.repository, this.reference, `fetching manifest for ${this.description}`);
    this.cache.set(m.digest, m.bytes);
    return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
  }

  /** One HEAD; a GET (hashed) only when the registry sends no Docker-Content-Digest. */
  async head(): Promise<Descriptor> {
    const h = await headManifest(this.client, this.repository, this.reference, `fetching manifest for ${this.description}`);
    return h.digest ? { mediaType: h.mediaType, digest: h.digest, size: h.size } : this.resolve();
  }

  async fetchManifest(desc: Descriptor): Promise<Buffer> {
    const cached = this.cache.get(desc.digest);
    if (cached) return cached;
    return (await getManifest(this.client, this.repository, desc.digest, `fetching manifest ${desc.digest} of ${this.description}`)).bytes;
  }

  async fetchBlob(desc: Descriptor, offset = 0): Promise<{ stream: Readable; resumed: boolean }> {
    return { stream: downloadBlob(this.client, this.repository, desc, offset), resumed: true };
  }

  /** One HEAD: the size the registry says, undefined on 404. */
  blobSize(desc: Descriptor): Promise<number | undefined> {
    return headBlobSize(this.client, this.repository, desc.digest);
  }

  listTags(): Promise<string[]> {
    return listTags(this.client, this.repository, `listing tags of ${this.client.registry}/${this.repository}`);
  }

  /** The same repository at another tag or digest (sharing the tag list read for cosign tags). */
  at(selector: string): RegistrySource {
    return new RegistrySource(this.client, this.repository, selector, joinSelector(`${this.client.registry}/${this.repository}`, selector), this.repo);
  }

  /** The referrers API (or its tag schema), then cosign's digest tags from the tag list (read once). */
  async referrers(subject: Descriptor, filter: ReferrerFilter = {}): Promise<Referrer[]> {
    const referrers = await listReferrers(this.client, this.repository, subject.digest, filter);
    const out: Referrer[] = referrers.map((desc) => ({ desc }));
    this.repo.tags ??= this.listTags();
    for (const tag of cosignTags(subject.digest, await this.repo.tags)) {
      const m = await getManifest(this.client, this.repository, tag, `fetching ${tag} of ${this.description}`);
      this.cache.set(m.digest, m.bytes);
      const desc = { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
      out.push({ desc: referrerDescriptor(desc, parseManifest(m.bytes, m.mediaType, `${this.description}: ${tag}`)), tag });
    }
    return filterReferrers(out, filter.artifactType);
  }

  private readonly cache = new Map<string, Buffer>();
}

/** One repository of a registry as a copy destination; the tag is set by the top-level manifest's PUT. */
export class RegistryDestination implements DestinationTarget {
  readonly description: string;
  readonly blobLocation: BlobSource;
  /** Source repositories these credentials may not mount from: their blobs are sent instead. */
  private readonly noMountFrom = new Set<string>();

  constructor(private readonly client: RegistryClient, private readonly repository: string, name: string) {
    this.description = name;
    this.blobLocation = { registry: client.registry, repository };
  }

  hasBlob(desc: Descriptor): Promise<boolean> {
    return blobExists(this.client, this.repository, desc, [pushScope(this.repository)]);
  }

  async pushBlob(desc: Descriptor, open: () => Promise<Readable>, source?: BlobSource): Promise<BlobPushResult> {
    if (source && source.registry === this.client.registry && source.repository !== this.repository && !this.noMountFrom.has(source.repository)) {
      const mounted = await mountBlob(this.client, this.repository, desc, source.repository);
      if (mounted === 'mounted') return 'mounted';
      if (mounted === 'denied') this.noMountFrom.add(source.repository);
    }
    await uploadBlob(this.client, this.repository, desc, open);
    return 'pushed';
  }

  async hasManifest(desc: Descriptor): Promise<boolean> {
    return (await this.tagDigest(desc.digest)) === desc.digest;
  }

  /** The digest a tag points at, or undefined when the tag does not exist. */
  tagDigest(reference: string): Promise<string | undefined> {
    return currentDigest(this.client, this.repository, reference, `checking ${this.description}`);
  }

  async listedReferrers(subject: Descriptor): Promise<string[]> {
    return (await listReferrers(this.client, this.repository, subject.digest)).map((d) => d.digest);
  }

  async pushManifest(desc: Descriptor, bytes: Buffer, how: ManifestPush = {}): Promise<void> {
    const what = `pushing manifest to ${this.description}`;
    const { digest, subjectProcessed } = await putManifest(this.client, this.repository, how.tag ?? desc.digest, bytes, desc.mediaType, what);
    if (digest && digest !== desc.digest) throw new RegistryError(`${what}: the registry stored it as ${digest}, not ${desc.digest}`, 201);
    // A referrer pushed to a registry without the referrers API (no OCI-Subject answer): list it in the tag schema.
    const referrer = subjectProcessed ? undefined : subjectOf(desc, bytes, what);
    if (referrer) await recordReferrers(this.client, this.repository, referrer.subject.digest, [referrer.entry]);
  }
}

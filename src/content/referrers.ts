import { DIGEST_ALGORITHMS } from '../ref/digest-algorithms.js';
import { IntegrityError } from '../errors.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci/manifest.js';
import { parseManifest } from '../oci/manifest.js';
import { OCI_INDEX } from '../oci/media-types.js';
import type { Referrer } from './target.js';
import { parseJson } from '../oci/json.js';

/**
 * OCI 1.1 referrers without the referrers API: the distribution spec's referrers tag schema (an image index under
 * the tag `sha256-<hex>` listing the manifests whose `subject` is that digest), and cosign's digest tags
 * (`sha256-<hex>.sig`, `.att`, `.sbom`). Shared by registries and OCI layouts, readers and writers.
 */

/** Suffixes of cosign's digest tags: signatures, attestations, SBOMs. */
export const COSIGN_SUFFIXES = ['.sig', '.att', '.sbom'] as const;

/**
 * The referrers tag of a digest (distribution spec, "Referrers Tag Schema"): the algorithm truncated to 32
 * characters, `-`, the encoded part truncated to 64, with every character a tag may not hold replaced by `-`.
 */
export function referrersTag(digest: string): string {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon).slice(0, 32);
  const encoded = digest.slice(colon + 1).slice(0, 64);
  return `${algorithm}-${encoded}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** True for a tag of the referrers schema or a cosign digest tag (not an image a user tagged). */
export function isReferrersTag(tag: string): boolean {
  return REFERRERS_TAG_RE.test(tag);
}

/** `<algorithm>-<first 64 hex>[.sig|.att|.sbom]` for each supported algorithm. */
const REFERRERS_TAG_RE = new RegExp(`^(?:${Object.keys(DIGEST_ALGORITHMS).join('|')})-[a-f0-9]{64}(?:\\.(?:sig|att|sbom))?$`);

/** The cosign digest tags of `digest` among `tags`, in cosign's suffix order. */
export function cosignTags(digest: string, tags: Iterable<string>): string[] {
  const have = new Set(tags);
  const base = referrersTag(digest);
  return COSIGN_SUFFIXES.map((s) => base + s).filter((t) => have.has(t));
}

/**
 * The descriptor that lists a manifest among its subject's referrers (spec, "Listing Referrers"): its
 * `artifactType`, else an image manifest's config media type; and the manifest's annotations.
 */
export function referrerDescriptor(desc: Descriptor, doc: ImageIndex | ImageManifest): Descriptor {
  const artifactType = doc.artifactType || (doc.kind === 'image' ? doc.config.mediaType : undefined);
  return {
    mediaType: desc.mediaType,
    digest: desc.digest,
    size: desc.size,
    ...(artifactType ? { artifactType } : {}),
    ...(doc.annotations && Object.keys(doc.annotations).length ? { annotations: { ...doc.annotations } } : {}),
  };
}

/** The subject of a manifest about to be pushed, and its referrers entry; undefined when it has no subject. */
export function subjectOf(desc: Descriptor, bytes: Buffer, what: string): { subject: Descriptor; entry: Descriptor } | undefined {
  if (!bytes.includes('"subject"')) return undefined; // most manifests: no parse needed
  const doc = parseManifest(bytes, desc.mediaType, what);
  return doc.subject ? { subject: doc.subject, entry: referrerDescriptor(desc, doc) } : undefined;
}

/** The descriptors of a referrers index (the API's answer or the tag schema's index). */
export function referrersIndexEntries(bytes: Buffer, what: string): Descriptor[] {
  const doc = parseManifest(bytes, OCI_INDEX, what);
  if (doc.kind !== 'index') throw new IntegrityError(`${what}: not an image index`, { code: 'ERR_MANIFEST_INVALID' });
  return doc.manifests;
}

/**
 * The referrers index with `entries` appended (spec, "Pushing Manifests with Subject"): `current` is the index
 * the tag holds (undefined when the tag does not exist: an empty index). Entries already listed (same digest)
 * are not added twice. Undefined when nothing changes. Fields of the current index are kept.
 */
export function addReferrers(current: Buffer | undefined, entries: Descriptor[], what: string): Buffer | undefined {
  let doc: { manifests: unknown[]; [key: string]: unknown } = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
  const have = new Set<string>();
  if (current) {
    for (const d of referrersIndexEntries(current, what)) have.add(d.digest); // validates it too
    doc = parseJson(current, what) as typeof doc;
  }
  const added = entries.filter((e) => !have.has(e.digest) && have.add(e.digest));
  if (!added.length) return undefined;
  doc.manifests = [...doc.manifests, ...added.map(plainDescriptor)];
  return Buffer.from(JSON.stringify(doc));
}

/** Keeps referrers whose artifactType is `artifactType` (all without a filter). */
export function filterReferrers(list: Referrer[], artifactType: string | undefined): Referrer[] {
  return artifactType ? list.filter((r) => r.desc.artifactType === artifactType) : list;
}

function plainDescriptor(d: Descriptor): Descriptor {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.artifactType ? { artifactType: d.artifactType } : {}),
    ...(d.annotations ? { annotations: d.annotations } : {}),
  };
}

import { Readable } from 'node:stream';
import { addReferrers, cosignTags, filterReferrers, referrerDescriptor, referrersIndexEntries, referrersTag } from '../content/referrers.js';
import type { Referrer, ReferrerFilter } from '../content/target.js';
import { IntegrityError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import { parseManifest, type Descriptor } from '../oci/manifest.js';
import { isIndexMediaType, OCI_INDEX } from '../oci/media-types.js';
import { entryName, REF_NAME, type OciLayout } from './layout.js';

/**
 * Referrers in an OCI layout, kept the way a registry without the referrers API keeps them (and as regclient's
 * ocidir does): an index entry named by the referrers tag `sha256-<hex>` holding an image index of them, plus
 * cosign's digest tags (`sha256-<hex>.sig`, …) as named entries.
 */
export async function layoutReferrers(layout: OciLayout, subject: Descriptor, filter: ReferrerFilter = {}): Promise<Referrer[]> {
  const entries = new Map<string, Descriptor>();
  for (const e of await layout.list()) {
    const name = entryName(e);
    if (name !== undefined) entries.set(name, e);
  }
  const out: Referrer[] = [];
  const tag = referrersTag(subject.digest);
  const listing = entries.get(tag);
  if (listing && isIndexMediaType(listing.mediaType)) {
    for (const desc of referrersIndexEntries(await layout.readBlob(listing), `${layout.dir}: ${tag}`)) out.push({ desc });
  }
  for (const name of cosignTags(subject.digest, entries.keys())) {
    const e = entries.get(name)!;
    const desc = { mediaType: e.mediaType, digest: e.digest, size: e.size };
    out.push({ desc: referrerDescriptor(desc, parseManifest(await layout.readBlob(desc), desc.mediaType, `${layout.dir}: ${name}`)), tag: name });
  }
  return filterReferrers(out, filter.artifactType);
}

/**
 * Adds referrers to their subjects' referrers-tag entries, all in one update of index.json under the layout's
 * lock (the spec's read, add what is missing, write back).
 */
export async function recordLayoutReferrers(layout: OciLayout, referrers: Array<{ subject: Descriptor; entry: Descriptor }>): Promise<void> {
  if (!referrers.length) return;
  const bySubject = new Map<string, Descriptor[]>();
  for (const { subject, entry } of referrers) bySubject.set(subject.digest, [...(bySubject.get(subject.digest) ?? []), entry]);
  await layout.updateIndex(async (index) => {
    for (const [subject, entries] of bySubject) {
      const tag = referrersTag(subject);
      const what = `${layout.dir}: referrers tag ${tag}`;
      const at = index.manifests.findIndex((e) => entryName(e) === tag);
      const old = index.manifests[at];
      if (old && !isIndexMediaType(old.mediaType)) throw new IntegrityError(`${what} holds a ${old.mediaType}, not an image index`);
      const next = addReferrers(old ? await layout.readBlob(old) : undefined, entries, what);
      if (!next) continue;
      const desc = { mediaType: OCI_INDEX, digest: sha256Digest(next), size: next.length };
      await layout.writeBlob(desc, Readable.from([next]));
      const entry = { ...desc, annotations: { [REF_NAME]: tag } };
      if (old) index.manifests[at] = entry;
      else index.manifests.push(entry);
    }
  });
}

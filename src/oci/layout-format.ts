import { IntegrityError } from '../errors.js';
import { isSupportedDigest } from '../ref/digest-algorithms.js';
import type { Descriptor } from './manifest.js';
import { OCI_INDEX } from './media-types.js';

/**
 * The OCI image layout format, shared by the local store, `oci:DIR` layouts and tarballs (archives and
 * `oci-archive:`): file names, blob paths, and how an index.json entry is named.
 *
 * Naming rules, one set for every reader and writer:
 * - `io.containerd.image.name` holds a full normalized image name (`docker.io/library/alpine:latest`), as
 *   containerd and docker ≥ 25 write it; it is the entry's name when present.
 * - `org.opencontainers.image.ref.name` holds what skopeo's `oci:DIR:REF` and umoci address: a tag (`v1`) in
 *   docker 25's saves, or any string of the OCI `ref.name` grammar. It names the entry when the first is absent.
 * - An entry with neither is unnamed: kept and addressed by its digest.
 */
export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_LAYOUT_CONTENT = '{"imageLayoutVersion":"1.0.0"}';
export const INDEX_FILE = 'index.json';
export const ANNOTATION_IMAGE_NAME = 'io.containerd.image.name';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

// image-spec annotations.md: ref ::= component ("/" component)*; component ::= alphanum (separator alphanum)*;
// alphanum ::= [A-Za-z0-9]+; separator ::= [-._:@+] | "--"
const COMPONENT = '[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*';
const REF_NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);

/** An empty index.json document. */
export function emptyIndex(): { schemaVersion: number; mediaType: string; manifests: Descriptor[] } {
  return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
}

/** A digest a layout can hold: a supported algorithm (ref/digest-algorithms.ts), its hex of the right length. */
export function isLayoutDigest(digest: string): boolean {
  return isSupportedDigest(digest);
}

/** `blobs/<alg>/<hex>` (relative to the layout's root); IntegrityError for anything but a supported digest. */
export function blobPath(digest: string, where = 'OCI layout'): string {
  if (!isSupportedDigest(digest)) throw new IntegrityError(`invalid digest ${JSON.stringify(digest)} in ${where}`, { code: 'ERR_DIGEST_INVALID' });
  const colon = digest.indexOf(':');
  return `blobs/${digest.slice(0, colon)}/${digest.slice(colon + 1)}`;
}

/** Does `name` match the OCI `org.opencontainers.image.ref.name` grammar (what skopeo and umoci accept)? */
export function isRefName(name: string): boolean {
  return name.length <= 4096 && REF_NAME_RE.test(name);
}

/** The name an index.json entry is known by: its full image name, else its ref name; undefined when unnamed. */
export function entryName(entry: { annotations?: Record<string, string> }): string | undefined {
  return entry.annotations?.[ANNOTATION_IMAGE_NAME] || entry.annotations?.[ANNOTATION_REF_NAME] || undefined;
}

/** The entry's ref name only (what `oci:DIR:REF` and `oci-archive:FILE:REF` match). */
export function entryRefName(entry: { annotations?: Record<string, string> }): string | undefined {
  return entry.annotations?.[ANNOTATION_REF_NAME] || undefined;
}

/**
 * Candidates for an entry's full image name, best first: containerd's name, then a ref name that looks like a
 * whole reference (has `/` or `:`, unlike docker 25's bare tags). The caller parses them as references.
 */
export function fullNameCandidates(entry: { annotations?: Record<string, string> }): string[] {
  const a = entry.annotations;
  return [a?.[ANNOTATION_IMAGE_NAME], a?.[ANNOTATION_REF_NAME]].filter((n): n is string => !!n && /[:/]/.test(n));
}

/**
 * The naming annotations for an entry. `full`: a full normalized image name (the store, archives), written as
 * containerd's name; `ref`: the ref name (the store repeats the full name; archives write docker 25's bare tag;
 * plain OCI layouts write only this, as skopeo and umoci do).
 */
export function nameAnnotations(names: { full?: string; ref?: string }): Record<string, string> {
  const out: Record<string, string> = {};
  if (names.full !== undefined) out[ANNOTATION_IMAGE_NAME] = names.full;
  if (names.ref !== undefined) out[ANNOTATION_REF_NAME] = names.ref;
  return out;
}

/** The descriptor without the entry's naming annotations (they name the entry, not the content). */
export function stripNames(d: Descriptor): Descriptor {
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.platform) out.platform = d.platform;
  const rest = Object.entries(d.annotations ?? {}).filter(([k]) => k !== ANNOTATION_IMAGE_NAME && k !== ANNOTATION_REF_NAME);
  if (rest.length > 0) out.annotations = Object.fromEntries(rest);
  return out;
}

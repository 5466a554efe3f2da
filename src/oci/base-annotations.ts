// The OCI annotations that name the image an image was built on (image-spec annotations.md): what `append` and
// `rebase` write and `check-base` reads.
import { baseMediaType, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_V2 } from './media-types.js';

/** The base image's reference, fully qualified, with its tag (`docker.io/library/alpine:3`). */
export const BASE_NAME = 'org.opencontainers.image.base.name';
/** The digest `base.name` pointed at when the image was built on it (an index's digest, for an index). */
export const BASE_DIGEST = 'org.opencontainers.image.base.digest';

/**
 * The base annotations to write: the digest always, the name when the base has one worth checking again (a registry
 * tag; a local path or a digest-only reference says nothing about where the base moves).
 */
export function baseAnnotations(digest: string, name?: string): Record<string, string> {
  return { ...(name ? { [BASE_NAME]: name } : {}), [BASE_DIGEST]: digest };
}

/**
 * A manifest (or index) JSON with the base annotations set (those of an earlier base replaced), when it is written in
 * OCI's format: Docker's manifests have no annotations. `format` is the format the result is converted to, if any.
 */
export function withBaseAnnotations(doc: Record<string, unknown>, base: Record<string, string>, format?: 'oci' | 'docker'): Record<string, unknown> {
  const type = baseMediaType(String(doc.mediaType ?? ''));
  const docker = format ? format === 'docker' : type === DOCKER_MANIFEST_V2 || type === DOCKER_MANIFEST_LIST;
  if (docker) return doc;
  const own = typeof doc.annotations === 'object' && doc.annotations !== null && !Array.isArray(doc.annotations) ? doc.annotations as Record<string, string> : {};
  const rest = Object.fromEntries(Object.entries(own).filter(([k]) => k !== BASE_NAME && k !== BASE_DIGEST));
  return { ...doc, annotations: { ...rest, ...base } };
}

/**
 * Media types of the OCI image spec and of Docker's registry formats, and the Accept list
 * used when fetching manifests.
 */

// OCI image spec
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** The empty descriptor (`{}`) used as config of artifacts. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

// Docker registry formats
export const DOCKER_MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DOCKER_LAYER_FOREIGN_GZIP = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
/** Schema 1 (deprecated, never requested). */
export const DOCKER_MANIFEST_V1_SIGNED = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const DOCKER_MANIFEST_V1 = 'application/vnd.docker.distribution.manifest.v1+json';

/** Accept list for manifest GET/HEAD, most preferred first. Schema 1 is deliberately absent. */
export const MANIFEST_ACCEPT: readonly string[] = Object.freeze([OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST_V2]);

/** The bare media type of a Content-Type-like value: parameters dropped, trimmed, lowercased. */
export function baseMediaType(mt: string): string {
  const semi = mt.indexOf(';');
  return (semi < 0 ? mt : mt.slice(0, semi)).trim().toLowerCase();
}

/** OCI image index or Docker manifest list (parameters such as `; charset=utf-8` are ignored). */
export function isIndexMediaType(mt: string): boolean {
  const b = baseMediaType(mt);
  return b === OCI_INDEX || b === DOCKER_MANIFEST_LIST;
}

/** OCI image manifest or Docker schema 2 manifest (not schema 1). */
export function isImageManifestMediaType(mt: string): boolean {
  const b = baseMediaType(mt);
  return b === OCI_MANIFEST || b === DOCKER_MANIFEST_V2;
}

/** Docker schema 1 manifests, signed or not. */
export function isSchema1MediaType(mt: string): boolean {
  const b = baseMediaType(mt);
  return b === DOCKER_MANIFEST_V1 || b === DOCKER_MANIFEST_V1_SIGNED;
}

/**
 * A layer the registry may not redistribute (Windows base layers): Docker's foreign layer type, OCI's
 * deprecated non-distributable types, or any layer that names `urls` to fetch it from instead.
 */
export function isNondistributable(desc: { mediaType: string; urls?: string[] }): boolean {
  const b = baseMediaType(desc.mediaType);
  return b.includes('.foreign.') || b.includes('.nondistributable.') || (desc.urls?.length ?? 0) > 0;
}

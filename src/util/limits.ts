/**
 * How much of a remote or on-disk document is read into memory. Everything else (layers) streams.
 * One place, so that the registry, the store and archives agree.
 */
/** Manifests, indexes, index.json and docker's manifest.json. */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** Image configs and other small JSON blobs (a config with a long history can pass 8 MiB). */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;
/** Metadata files of an archive (manifest.json, repositories, legacy json files). */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** One page of a paged listing (tags, catalog, referrers). */
export const MAX_PAGE_BYTES = 16 * 1024 * 1024;
/** An error body kept for the message. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** A token server's answer. */
export const MAX_TOKEN_BODY_BYTES = 128 * 1024;
/** A secret read from stdin. */
export const MAX_SECRET_BYTES = 64 * 1024;
/** How deep a walk of manifests goes (an index of indexes, a referrer of a referrer of …). */
export const MAX_WALK_DEPTH = 16;
/** How many manifests one walk visits at most (a copy's plan, a referrers tree). */
export const MAX_WALK_MANIFESTS = 10_000;
/** A sync file (skopeo's YAML): a real one is a few KiB. */
export const MAX_SYNC_FILE_BYTES = 1024 * 1024;

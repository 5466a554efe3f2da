/**
 * regctl as a library. Nothing here prints or exits: operations return values or throw typed errors
 * (see errors.ts for the exit code each maps to in the CLI).
 */
export * from './errors.js';
export { DEFAULT_TAG, type Reference, type Selector } from './ref/reference.js';
export { parseReference, parseRepository, parseDigest, formatReference, familiarReference, withDigest, withTag, isValidTag, type RepositoryName } from './ref/parse.js';
export { isDigest, parseSelector, manifestReference, givenSelector, isDigestOnly, impliedTag, destinationTag, joinSelector } from './ref/selector.js';
export { DIGEST_ALGORITHMS, SUPPORTED_ALGORITHMS, isSupportedDigest, type DigestAlgorithm } from './ref/digest-algorithms.js';
export { parsePlatform, formatPlatform, platformMatches, hostPlatform, type Platform } from './oci/platform.js';
export type { Credential, CredentialSource } from './auth/credential.js';
export { CredentialStore } from './auth/store.js';
export { loadConfig, type RegctlConfig, type RegistryConfig } from './config/regctl-config.js';
export { Transport, type TransportOptions, type TransportWarning } from './transport/transport.js';
export { parseChallenges, type Challenge } from './transport/challenge.js';
export { createContext, type ContextOptions } from './ops/create-context.js';
export type { OpsContext } from './ops/context.js';
export { inspect, type InspectResult, type ImageSummary } from './ops/inspect.js';
export { digest } from './ops/digest.js';
export { tags, catalog } from './ops/list.js';
export { search, parseSearchFilters, type SearchOptions, type SearchFilters } from './ops/search.js';
export type { SearchResult } from './registry/search.js';
export { login, logout, type LoginResult } from './ops/login.js';
export { withCredentials, withTransferCredentials, withAuthFile, type CredentialOptions, type CredentialSide } from './ops/credentials.js';
export { sync, type SyncOptions, type SyncReport, type SyncImageResult, type SyncProgress } from './ops/sync.js';
export { repositoryJob, configJobs, type SyncJob } from './ops/sync-jobs.js';
export { readSyncConfig, parseSyncConfig, type SyncRegistry } from './ops/sync-config.js';
export { copyAllTags } from './ops/all-tags.js';
export { rateLimit, type RateLimit, type RateLimitResult } from './ops/ratelimit.js';
export { referrers, type ReferrersResult, type ReferrerNode } from './ops/referrers.js';
export { attach, type AttachOptions, type AttachResult } from './ops/attach.js';
export { untag, type UntagOptions, type UntagResult } from './ops/untag.js';
export { deleteImage, type DeleteResult } from './ops/delete.js';
export { tagsForDigest, type TagsForDigestOptions } from './ops/tags-for-digest.js';
export { manifestGet, manifestHead, manifestPut, sniffMediaType, type ManifestRead, type ManifestPutOptions } from './ops/manifest.js';
export { manifestDelete, type ManifestDeleteResult } from './ops/delete.js';
export { blobGet, blobHead, blobPut, blobDelete, type BlobRead } from './ops/blob.js';
export { imageConfig, type ConfigRead } from './ops/config.js';
export { indexCreate, indexAdd, indexRemove, type IndexCreateOptions, type IndexEditOptions, type IndexResult } from './ops/image-index.js';
export type { TagsOptions } from './ops/list.js';
export { run, type Io } from './cli.js';

/**
 * regctl as a library: copy, pull, push, save, load, sync and inspect container images without a daemon.
 *
 * Every operation works without a context (`await digest('localhost:5000/app:1')`), taking its defaults from this
 * process as the CLI does (environment variables, home directory, host platform, regctl's config) and closing what it
 * opened; or in a context of `createContext()` shared by several calls (`{ context }`), closed by the caller.
 * Credentials come from docker's config.json and credential helpers, or per call (`credentials`, or
 * `sourceCredentials` / `destinationCredentials` for transfers): static, an authfile path, or a `lookup` callback.
 * Progress comes as `onProgress` events, cancellation through `signal`. Nothing prints or exits: failures are
 * typed errors (`NotFoundError`, `AuthError`, …) whose `exitCode` is the one the CLI would use.
 *
 * The CLI is the subpath `…/cli` (`run(argv, io)`).
 *
 * @packageDocumentation
 */
export * from './errors.js';
export { createContext, type CallOptions, type Context, type ContextOptions, type NetworkOptions, type RegistrySettings, type Warning } from './api/context.js';
export { processEnvironment, type Environment } from './api/environment.js';
export { catalog, digest, digests, inspect, rateLimit, referrers, search, tags } from './api/read.js';
export type { DigestCallOptions } from './api/read.js';
export type { PlatformSpec, PlatformsSpec } from './api/options.js';
export { copy, load, pull, push, save, sync, type CopyOptions, type SyncFile, type SyncOptions } from './api/transfer.js';
export { images, rmi, tag } from './api/local.js';
export { attach, del, login, logout, type LoginCallOptions } from './api/registry.js';
export {
  blobDelete, blobGet, blobHead, blobPut, imageConfig, indexAdd, indexCreate, indexRemove, manifestDelete, manifestGet, manifestHead,
  manifestPut, tagsForDigest, untag, type VerbOptions,
} from './api/verbs.js';
export { append, exportImage, flatten, mutate, rebase } from './api/change.js';

export { DEFAULT_TAG, type Reference, type Selector } from './ref/reference.js';
export { parseReference, parseRepository, parseDigest, formatReference, familiarReference, withDigest, withTag, isValidTag, type RepositoryName } from './ref/parse.js';
export { isDigest, parseSelector, manifestReference, givenSelector, isDigestOnly, impliedTag, destinationTag, joinSelector } from './ref/selector.js';
export { DIGEST_ALGORITHMS, SUPPORTED_ALGORITHMS, isSupportedDigest, type DigestAlgorithm } from './ref/digest-algorithms.js';
export type { Env } from './util/env.js';
export { parsePlatform, formatPlatform, platformMatches, hostPlatform, type NodeRuntime, type Platform } from './oci/platform.js';
export type { Credential } from './auth/credential.js';
export type { CredentialOptions, WithCredentials, WithTransferCredentials } from './ops/credentials.js';
export type { RegctlConfig, RegistryConfig } from './config/regctl-config.js';
export type { TransportWarning } from './transport/transport.js';
export type { Timeouts } from './transport/timeouts.js';
export type { RetryPolicy } from './transport/retry.js';
export type { OpsContext } from './ops/context.js';
export type { CopyProgress, CopyResult } from './content/copy.js';
export type { BlobCounts } from './content/move-blobs.js';
export type { ManifestFormat } from './content/convert.js';
export type { BlobPushResult } from './content/target.js';
export type { DigestOptions } from './ops/digest.js';
export type { Outcome } from './ops/batch.js';
export type { InspectOptions, InspectResult, ImageSummary, DescriptorView } from './ops/inspect.js';
export type { CatalogOptions, TagsOptions } from './ops/list.js';
export type { SearchOptions, SearchFilters } from './ops/search.js';
export type { SearchResult } from './registry/search.js';
export type { RateLimit, RateLimitOptions, RateLimitResult } from './ops/ratelimit.js';
export type { ReferrersOptions, ReferrersResult, ReferrerNode } from './ops/referrers.js';
export type { AttachOptions, AttachResult } from './ops/attach.js';
export type { LoginOptions, LoginResult } from './ops/login.js';
export type { PullOptions, PullResult, TransferOptions, RemoveOutcome } from './ops/local.js';
export type { SaveOptions, LoadOptions, LoadResult } from './ops/archive.js';
export type { SyncReport, SyncImageResult, SyncProgress, SyncStatus } from './ops/sync.js';
export type { StoreImage } from './store/store.js';
export type { RemoveResult } from './store/remove.js';
export type { Descriptor } from './oci/manifest.js';
export type { DeleteOptions, DeleteResult, ManifestDeleteResult } from './ops/delete.js';
export type { UntagOptions, UntagResult } from './ops/untag.js';
export type { UntagMethod } from './registry/untag.js';
export type { TagsForDigestOptions } from './ops/tags-for-digest.js';
export type { ManifestRead, ManifestPutOptions } from './ops/manifest.js';
export { sniffMediaType } from './ops/manifest.js';
export type { BlobRead } from './ops/blob.js';
export type { ConfigRead } from './ops/config.js';
export type { IndexCreateOptions, IndexEditOptions, IndexResult } from './ops/image-index.js';
export { SCRATCH, type AppendOptions } from './ops/append.js';
export { BaseMismatchError, type RebaseOptions } from './ops/rebase.js';
export type { MutateOptions } from './ops/mutate.js';
export type { FlattenOptions } from './ops/flatten.js';
export type { ExportOptions, ExportOutput } from './ops/export.js';
export { parseTemplate, record, type Template } from './template/template.js';
export type { ChangeOptions, ChangeResult } from './ops/change-image.js';
export type { ConfigChanges } from './image/config-edit.js';
export type { LayerInput } from './image/layer-input.js';
export type { LayerCompression } from './image/layer-writer.js';

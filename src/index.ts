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
export { catalog, digest, digests, inspect, inspectMany, rateLimit, referrers, search, size, tags, tagsMany } from './api/read.js';
export type {
  CatalogCallOptions, DigestCallOptions, InspectCallOptions, RateLimitCallOptions, ReferrersCallOptions, SearchCallOptions, SizeCallOptions, TagsCallOptions,
  ImageSize, SizeFigures, SizeReport, ImageConfig, ContainerConfig, ImageHistory, ImageIndex, ImageManifest,
  BatchInput, BatchStreamOptions, BatchSummary, OnResult,
} from './api/read.js';
export type { PlatformSpec, PlatformsSpec } from './api/options.js';
export {
  copy, copyAllTags, load, pull, push, save, sync, type CopyAllTagsOptions, type CopyOptions, type LoadOptions, type PullOptions, type PushOptions,
  type PushResult, type SaveOptions, type Shard, type ShardBy, type SyncFile, type SyncOptions, type TransferPolicy,
} from './api/transfer.js';
export { prune, type PruneAction, type PruneOptions, type PruneProgress, type PruneReport, type TagDecision, type TagPlan } from './api/prune.js';
export { images, rmi, tag, tagRemote, type ImagesFilter, type ImagesOptions, type RmiOptions, type TagRemoteOptions, type TagRemoteResult } from './api/local.js';
export {
  artifactList, artifactPull, artifactPush, type ArtifactFile, type ArtifactListCallOptions, type ArtifactPullCallOptions, type ArtifactPullResult,
  type ArtifactPushCallOptions, type ArtifactPushResult, type PulledFile,
} from './api/artifact.js';
export {
  attach, del, login, logout, type AttachOptions, type AttachResult, type DeleteResult, type LoginCallOptions, type LoginResult, type LogoutOptions,
  type LogoutResult,
} from './api/registry.js';
export {
  blobDelete, blobGet, blobHead, blobPut, imageConfig, indexAdd, indexCreate, indexRemove, manifestDelete, manifestGet, manifestHead,
  manifestHeads, manifestPut, tagsForDigest, untag,
  type BlobDeleteResult, type BlobInput, type BlobPutResult, type BlobRead, type ConfigRead, type DeleteOptions, type IndexAddOptions,
  type IndexCreateOptions, type IndexRemoveOptions, type IndexResult, type ManifestDeleteResult, type ManifestPutOptions, type ManifestRead,
  type PlatformVerbOptions, type TagScanOptions, type UntagOptions, type UntagResult, type VerbOptions,
} from './api/verbs.js';
export {
  append, exportImage, flatten, mutate, rebase, SCRATCH, type AppendOptions, type ChangeOptions, type ChangeResult, type ConfigChanges, type ExportOptions, type FlattenOptions,
  type LayerCompression, type LayerInput, type MutateOptions, type RebaseOptions, type WithPlatformSpec,
} from './api/change.js';
export {
  BASE_DIGEST, BASE_NAME, checkBase, getFile, history, type CheckBaseOptions, type CheckBaseResult, type FileRead, type GetFileOptions,
  type HistoryOptions, type HistoryResult, type HistoryRow,
} from './api/inspection.js';

export {
  diffImages, validate, type DiffCallOptions, type DiffSide, type FieldChange, type FileChange, type FileInfo, type FileType, type ImageDiff, type LayerChange,
  type SkippedContent, type ValidateCallOptions, type ValidateResult,
} from './api/compare.js';
export type { DiffOptions } from './ops/diff.js';
export type { ValidateOptions } from './ops/validate.js';
export {
  generateKey, sign, verify, type GenerateKeyCallOptions, type GeneratedKey, type Passphrase, type SignatureCheck, type SignatureFormat, type SignCallOptions, type SignOptions,
  type SignedManifest, type SignResult, type VerifyCallOptions, type VerifyOptions, type VerifyResult,
} from './api/trust.js';
export {
  verifyAttestation, type AttestationCheck, type BundleCheck, type VerifyAttestationCallOptions, type VerifyAttestationResult,
} from './api/trust.js';

export { DEFAULT_TAG, type Reference, type Selector } from './ref/reference.js';
export { parseReference, parseRepository, parseDigest, formatReference, familiarReference, withDigest, withTag, isValidTag, type RepositoryName } from './ref/parse.js';
export { isDigest, parseSelector, manifestReference, givenSelector, isDigestOnly, impliedTag, destinationTag, joinSelector } from './ref/selector.js';
export { DIGEST_ALGORITHMS, SUPPORTED_ALGORITHMS, isSupportedDigest, type DigestAlgorithm } from './ref/digest-algorithms.js';
export type { Env } from './util/env.js';
export { parsePlatform, formatPlatform, platformMatches, hostPlatform, type NodeRuntime, type Platform } from './oci/platform.js';
export type { Credential } from './auth/credential.js';
export type { CredentialOptions, WithCredentials, WithTransferCredentials } from './ops/credentials.js';
export type { RegctlSettings, RegistryEntry } from './config/regctl-settings.js';
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
export type { PullResult } from './ops/pull.js';
export type { TransferOptions } from './ops/transfer-options.js';
export type { RemoveOutcome } from './ops/rmi.js';
export type { LoadResult } from './ops/archive.js';
export type { SyncReport, SyncImageResult, SyncProgress, SyncStatus } from './ops/sync.js';
export type { StoreImage } from './store/store.js';
export type { RemoveResult } from './store/remove.js';
export type { Descriptor, ManifestCommon } from './oci/manifest.js';
export type { UntagMethod } from './registry/untag.js';
export { sniffMediaType } from './ops/manifest.js';
export { parseTemplate, record, type GoKind, type GoType, type StreamOptions, type Template } from './template/template.js';

import type { Readable } from 'node:stream';
import type { Descriptor } from '../oci/manifest.js';

/**
 * Where images live: a registry repository, the local store, an OCI layout directory, a tarball or memory. Every
 * transfer is a copy from a SourceTarget to a DestinationTarget; nothing branches on the kind of target.
 *
 * Digests are `sha256:<hex>`; sizes are bytes. Manifests and indexes are passed as exact bytes, so digests survive.
 */
export interface SourceTarget {
  /** For messages: `docker.io/library/alpine:3`, `oci:/tmp/layout:v1`, `docker-archive:x.tar`. */
  readonly description: string;
  /** The descriptor the target's reference (tag or digest) points at. NotFoundError when absent. */
  resolve(): Promise<Descriptor>;
  /**
   * The descriptor the reference points at from the cheapest answer the target has — a registry's HEAD (no manifest
   * body; Docker Hub does not count it as a pull), else what resolve() gives — for callers that want only the
   * digest (digest, sync's comparison). Its `size` may be 0 when not told. NotFoundError when absent.
   */
  head(): Promise<Descriptor>;
  /** A manifest or index by descriptor: exact bytes (the caller checks the digest). */
  fetchManifest(desc: Descriptor): Promise<Buffer>;
  /** A blob as a stream of exactly `desc.size` bytes (the caller verifies digest and size in flight).
   * `offset` asks for the rest of the blob from that byte (resuming); a target may ignore it and return
   * the whole blob only when it says so with `resumed: false`. */
  fetchBlob(desc: Descriptor, offset?: number): Promise<{ stream: Readable; resumed: boolean }>;
  /** The size the source holds of a blob without reading it (a registry's HEAD, a file's size), or undefined when it
   * lacks the blob: a cheap check that it is there (`validate --fast`). Sources that cannot tell leave this out. */
  blobSize?(desc: Descriptor): Promise<number | undefined>;
  /** Whether the source holds this manifest, for sources that may hold part of an index (archives, layouts):
   * children it lacks are left out of a copy instead of failing it. Registries leave this out. */
  hasManifest?(desc: Descriptor): Promise<boolean>;
  /** Where its blobs live, when the source is a registry repository (enables cross-repository mounts). */
  readonly blobSource?: BlobSource;
  /** Every tag of the source's repository (or layout), when it has tags. */
  listTags?(): Promise<string[]>;
  /** Another image of the same repository (or layout) by a selector string, a tag or a digest: the source for copying it. */
  at?(selector: string): SourceTarget;
  /**
   * The manifests that refer to `subject` (signatures, SBOMs, attestations): OCI 1.1 referrers, and digest tags
   * in cosign's scheme (`sha256-<hex>.sig`), which carry the tag to set at the destination. Direct referrers only
   * (the copy engine recurses). Each descriptor keeps its `artifactType` and `annotations`; `artifactType` keeps
   * only the referrers of that type.
   */
  referrers?(subject: Descriptor, filter?: ReferrerFilter): Promise<Referrer[]>;
  /** Releases files and connections. */
  close?(): Promise<void>;
}

export interface ReferrerFilter {
  artifactType?: string;
}

/** A manifest referring to another; `tag` when the source knows it by a digest tag that must travel too. */
export interface Referrer {
  desc: Descriptor;
  tag?: string;
}

/** How a manifest is pushed: `top` for the one the copy was asked for, `tag` to name it at the destination. */
export interface ManifestPush {
  top?: boolean;
  tag?: string;
}

/**
 * A place the copy engine writes to. The engine only adds content; the caller owns the destination's life: it
 * commits once everything it wanted is pushed (archives write their index; layouts record names) or aborts.
 */
export interface DestinationTarget {
  readonly description: string;
  /** Where blobs pushed here live, when the destination is a registry repository: copies of one session into
   * other repositories of the same registry mount them from here instead of sending them again. */
  readonly blobLocation?: BlobSource;
  /** Does the destination already hold this blob (with this size)? */
  hasBlob(desc: Descriptor): Promise<boolean>;
  /**
   * Stores a blob from a stream. The target must check digest and size while writing and commit nothing on a
   * mismatch (IntegrityError). `source` names the repository the blob came from, for cross-repository mounts.
   * `open(offset)` gives the blob from byte `offset` on, unchecked (a target resuming a partial blob checks the
   * bytes it already has together with these); `open()` gives the whole blob, checked.
   */
  pushBlob(desc: Descriptor, open: (offset?: number) => Promise<Readable>, source?: BlobSource): Promise<BlobPushResult>;
  /** Does the destination already hold this manifest? */
  hasManifest(desc: Descriptor): Promise<boolean>;
  /** The digest a tag points at now, if the destination can tell (lets a copy that would change nothing stop early). */
  tagDigest?(tag: string): Promise<string | undefined>;
  /**
   * The digests the destination lists as referrers of `subject` (its referrers API or tag schema). When it can
   * tell, a referrer it holds but does not list (an interrupted copy) is pushed again, so that it gets listed.
   */
  listedReferrers?(subject: Descriptor): Promise<string[]>;
  /** Stores manifest bytes under their digest, and under `how.tag` when given. A manifest with a `subject` is
   * also listed among its subject's referrers where the destination keeps such a list itself. */
  pushManifest(desc: Descriptor, bytes: Buffer, how?: ManifestPush): Promise<void>;
  /** Makes everything pushed visible (archives write their index; stores update index.json). Called by the owner. */
  commit?(): Promise<void>;
  /** Discards everything pushed since it was opened (temp files, partial archives). Called by the owner. */
  abort?(): Promise<void>;
  close?(): Promise<void>;
}

/** Where a blob can also be found, so a registry destination can mount it instead of receiving the bytes. */
export interface BlobSource {
  registry: string;
  repository: string;
}

export type BlobPushResult = 'pushed' | 'mounted' | 'exists';

/** Runs `work` against a destination the caller owns: commits when it succeeds, aborts (and rethrows) when not. */
export async function writeTo<T>(dst: DestinationTarget, work: (dst: DestinationTarget) => Promise<T>): Promise<T> {
  try {
    const result = await work(dst);
    await dst.commit?.();
    return result;
  } catch (err) {
    await dst.abort?.().catch(() => undefined);
    throw err;
  }
}

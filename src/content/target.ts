import type { Readable } from 'node:stream';
import type { Descriptor } from '../oci/manifest.js';

/**
 * Where images live: a registry repository, the local store, an OCI layout directory or a tarball. Every
 * transfer is `copy(source, destination)` over these two interfaces; nothing branches on the kind of target.
 *
 * Digests are `sha256:<hex>`; sizes are bytes. Manifests and indexes are passed as exact bytes, so digests survive.
 */
export interface SourceTarget {
  /** For messages: `docker.io/library/alpine:3`, `oci:/tmp/layout:v1`, `docker-archive:x.tar`. */
  readonly description: string;
  /** The descriptor the target's reference (tag or digest) points at. NotFoundError when absent. */
  resolve(): Promise<Descriptor>;
  /** A manifest or index by descriptor: exact bytes (the caller checks the digest). */
  fetchManifest(desc: Descriptor): Promise<Buffer>;
  /** A blob as a stream of exactly `desc.size` bytes (the caller verifies digest and size in flight).
   * `offset` asks for the rest of the blob from that byte (resuming); a target may ignore it and return
   * the whole blob only when it says so with `resumed: false`. */
  fetchBlob(desc: Descriptor, offset?: number): Promise<{ stream: Readable; resumed: boolean }>;
  /** Where its blobs live, when the source is a registry repository (enables cross-repository mounts). */
  readonly blobSource?: BlobSource;
  /** Releases files and connections. */
  close?(): Promise<void>;
}

export interface DestinationTarget {
  readonly description: string;
  /** Does the destination already hold this blob (with this size)? */
  hasBlob(desc: Descriptor): Promise<boolean>;
  /**
   * Stores a blob from a stream. The target must check digest and size while writing and commit nothing on a
   * mismatch (IntegrityError). `source` names the repository the blob came from, for cross-repository mounts.
   */
  pushBlob(desc: Descriptor, open: () => Promise<Readable>, source?: BlobSource): Promise<BlobPushResult>;
  /** Does the destination already hold this manifest? */
  hasManifest(desc: Descriptor): Promise<boolean>;
  /** The digest a tag points at now, if the destination can tell (lets a copy that would change nothing stop early). */
  tagDigest?(tag: string): Promise<string | undefined>;
  /** Stores manifest bytes under their digest, and under `tag` when given (the top-level manifest). */
  pushManifest(desc: Descriptor, bytes: Buffer, tag?: string): Promise<void>;
  /** Makes everything pushed visible (archives write their index; stores update index.json). */
  commit?(): Promise<void>;
  /** Discards everything on failure (temp files, partial archives). */
  abort?(): Promise<void>;
  close?(): Promise<void>;
}

/** Where a blob can also be found, so a registry destination can mount it instead of receiving the bytes. */
export interface BlobSource {
  registry: string;
  repository: string;
}

export type BlobPushResult = 'pushed' | 'mounted' | 'exists';

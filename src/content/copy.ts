import { IntegrityError } from '../errors.js';
import { digestLike } from '../oci/digest.js';
import { parseManifest, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import { runPool } from '../util/pool.js';
import { selectPlatform } from '../oci/select-platform.js';
import type { BlobPushResult, DestinationTarget, SourceTarget } from './target.js';
import { verified } from './verify.js';

/** A blob finished (`blob`), or moved more bytes (`bytes`, `done` of `size`). */
export type CopyProgress =
  | { kind: 'blob'; digest: string; size: number; result: BlobPushResult | 'skipped' }
  | { kind: 'bytes'; digest: string; size: number; done: number };

export interface CopyOptions {
  /** Copy only this platform's image out of an index. */
  platform?: Platform;
  /** Tag to set at the destination (the top manifest is pushed under it). */
  tag?: string;
  /** Blobs moved at once. */
  jobs?: number;
  onProgress?: (event: CopyProgress) => void;
  /** Neither commit nor abort the destination: the caller adds more and commits once (archives of several images). */
  leaveOpen?: boolean;
}

export interface CopyResult {
  /** Digest of the top manifest written (the index, or the chosen platform's image). */
  digest: string;
  /** Digest the source reference points at (the index when a platform was picked out of one). */
  sourceDigest: string;
  mediaType: string;
  /** The top manifest written. */
  top: Descriptor;
  /** When the top manifest is a single image: its config and layers (docker's manifest.json needs them). */
  image?: { manifest: Descriptor; configDigest: string; layerDigests: string[] };
  /** True when the destination already had everything and nothing was sent. */
  unchanged: boolean;
  blobs: { pushed: number; mounted: number; skipped: number; bytes: number };
}

export const DEFAULT_JOBS = 8;

/**
 * Copies an image or index from one target to another: blobs before the manifests that name them, children before
 * their index, manifest bytes verbatim so digests survive. Blobs stream through a digest+size check; any failure
 * aborts the destination so nothing half-written becomes visible.
 */
export async function copyImage(src: SourceTarget, dst: DestinationTarget, opts: CopyOptions = {}): Promise<CopyResult> {
  const result: CopyResult = { digest: '', sourceDigest: '', top: { mediaType: '', digest: '', size: 0 }, mediaType: '', unchanged: false, blobs: { pushed: 0, mounted: 0, skipped: 0, bytes: 0 } };
  try {
    let top = await src.resolve();
    result.sourceDigest = top.digest;
    let bytes = await manifestBytes(src, top);
    let parsed = parseManifest(bytes, top.mediaType, src.description);
    if (opts.platform && parsed.kind === 'index') {
      top = selectPlatform(parsed, opts.platform, src.description);
      bytes = await manifestBytes(src, top);
      parsed = parseManifest(bytes, top.mediaType, src.description);
    }
    result.digest = top.digest;
    result.mediaType = top.mediaType;
    result.top = { mediaType: top.mediaType, digest: top.digest, size: top.size };
    if (parsed.kind === 'image') {
      result.image = { manifest: result.top, configDigest: parsed.config.digest, layerDigests: parsed.layers.map((l) => l.digest) };
    }
    const commit = async () => {
      if (!opts.leaveOpen) await dst.commit?.();
    };
    if (opts.tag && dst.tagDigest && (await dst.tagDigest(opts.tag)) === top.digest) {
      result.unchanged = true;
      await commit();
      return result;
    }
    const jobs = opts.jobs ?? DEFAULT_JOBS;
    const copyBlob = async (desc: Descriptor) => {
      if (await dst.hasBlob(desc)) {
        result.blobs.skipped++;
        opts.onProgress?.({ kind: 'blob', digest: desc.digest, size: desc.size, result: 'skipped' });
        return;
      }
      const open = async () => {
        const { stream } = await src.fetchBlob(desc);
        const checked = verified(stream, desc, `blob ${desc.digest} from ${src.description}`);
        if (opts.onProgress) {
          let done = 0;
          stream.on('data', (chunk: Buffer) => {
            done += chunk.length;
            opts.onProgress!({ kind: 'bytes', digest: desc.digest, size: desc.size, done });
          });
        }
        return checked;
      };
      const how = await dst.pushBlob(desc, open, src.blobSource);
      if (how === 'mounted') result.blobs.mounted++;
      else if (how === 'exists') result.blobs.skipped++;
      else {
        result.blobs.pushed++;
        result.blobs.bytes += desc.size;
      }
      opts.onProgress?.({ kind: 'blob', digest: desc.digest, size: desc.size, result: how });
    };
    // Everything the destination lacks is planned first: manifests children before parents, and the blobs of every
    // image under one pool, so an index moves all its platforms' layers at once rather than one platform at a time.
    const manifests: Array<{ desc: Descriptor; body: Buffer; tag?: string }> = [];
    const blobs = new Map<string, Descriptor>();
    const plan = async (desc: Descriptor, body: Buffer, doc: ImageIndex | ImageManifest, tag?: string): Promise<void> => {
      if (doc.kind === 'index') {
        // Child manifests the destination lacks, fetched in parallel, planned in the index's order.
        const fetched = new Map<string, Buffer>();
        await runPool(doc.manifests, jobs, async (child) => {
          if (!(await dst.hasManifest(child))) fetched.set(child.digest, await manifestBytes(src, child));
        });
        for (const child of doc.manifests) {
          const childBytes = fetched.get(child.digest);
          if (childBytes) await plan(child, childBytes, parseManifest(childBytes, child.mediaType, src.description));
        }
      } else {
        for (const blob of [doc.config, ...doc.layers]) if (!blobs.has(blob.digest)) blobs.set(blob.digest, blob);
      }
      manifests.push({ desc, body, tag });
    };
    await plan(top, bytes, parsed, opts.tag);
    await runPool([...blobs.values()], jobs, copyBlob);
    for (const m of manifests) await dst.pushManifest(m.desc, m.body, m.tag);
    await commit();
    return result;
  } catch (err) {
    if (!opts.leaveOpen) await dst.abort?.().catch(() => undefined);
    throw err;
  }
}

/** Manifest bytes from the source, checked against the descriptor's digest. */
async function manifestBytes(src: SourceTarget, desc: Descriptor): Promise<Buffer> {
  const bytes = await src.fetchManifest(desc);
  const actual = digestLike(desc.digest, bytes);
  if (actual !== desc.digest || (desc.size && bytes.length !== desc.size)) {
    throw new IntegrityError(`${src.description}: manifest ${desc.digest} does not match its content (got ${actual}, ${bytes.length} bytes)`, { code: 'ERR_DIGEST_MISMATCH' });
  }
  return bytes;
}

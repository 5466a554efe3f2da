import { NotFoundError, UsageError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import { parseManifest, type Descriptor, type ImageIndex } from '../oci/manifest.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import { convertManifests, type ManifestFormat } from './convert.js';
import { moveBlobs, type BlobCounts } from './move-blobs.js';
import type { CopyProgress } from './progress.js';
import { keptChildren, planCopy } from './plan.js';
import { resolveImage, type ResolvedImage } from './resolve.js';
import { CopySession, DEFAULT_JOBS } from './session.js';
import type { BlobPushResult, DestinationTarget, SourceTarget } from './target.js';

export { DEFAULT_JOBS } from './session.js';
export type { CopyProgress } from './progress.js';

export interface CopyOptions {
  /** Copy only this platform's image out of an index. */
  platform?: Platform;
  /** Copy only these platforms' images of an index (and their attestations): a new index holding exactly those
   * entries when that leaves some out (its digest changes: CopyResult.digest differs from sourceDigest), else the
   * index as it is. NotFound when none matches. */
  platforms?: Platform[];
  /** With `platform`: a single-platform image of another platform is NotFound too (an explicit --platform). */
  strictPlatform?: boolean;
  /** Name to give the top manifest at the destination (a tag, or the full name in a store or archive). */
  tag?: string;
  /** Also copy the referrers of every manifest copied (signatures, SBOMs, attestations), recursively. */
  referrers?: boolean;
  /** Copy foreign / non-distributable layers too. */
  includeNondistributable?: boolean;
  /** Convert manifests and layer media types to this format (manifest digests change). */
  format?: ManifestFormat;
  /** The caller has just found that `tag` at the destination names another manifest (sync): no need to ask again. */
  tagChecked?: boolean;
  /** Shared by the copies of one command (one limit on blobs in flight). Default: a session of `jobs`. */
  session?: CopySession;
  /** Blobs moved at once when no session is given. */
  jobs?: number;
  onProgress?: (event: CopyProgress) => void;
  /** Stops the copy: blobs in flight are destroyed with the signal's reason, nothing more is pushed, and the copy fails
   * with the reason (the destination's owner then aborts it, which drops what was written). */
  signal?: AbortSignal | undefined;
}

export interface CopyResult {
  /** Digest of the top manifest written (the index, or the chosen platform's image). */
  digest: string;
  /** Digest the source reference points at (the index when a platform was picked out of one). */
  sourceDigest: string;
  mediaType: string;
  /** The top manifest written. */
  top: Descriptor;
  /** True when the destination already held everything, the tag (when one is written) at this very manifest:
   * no blob, no manifest and no tag had to be written. */
  unchanged: boolean;
  blobs: BlobCounts;
  /** Manifests pushed (the top one included). */
  manifests: number;
}

/**
 * Copies an image or index from one target to another: resolve the source, plan what the destination lacks, move
 * the blobs, then push the manifests (children before their index, so the destination never names what it lacks),
 * bytes verbatim so digests survive. The destination is the caller's: the copy neither commits nor aborts it.
 */
export async function copyImage(src: SourceTarget, dst: DestinationTarget, opts: CopyOptions = {}): Promise<CopyResult> {
  const signal = opts.signal;
  signal?.throwIfAborted();
  const resolved = await resolveImage(src, { ...(opts.platform ? { platform: opts.platform } : {}), strict: opts.strictPlatform ?? false });
  // The plan walks the subset index, so it is not given `platforms` to filter the same children again.
  if (opts.platforms && resolved.doc.kind === 'index') Object.assign(resolved, subsetIndex(src.description, resolved, opts.platforms));
  const { top } = resolved;
  const result: CopyResult = {
    digest: top.digest,
    sourceDigest: resolved.source.digest,
    mediaType: top.mediaType,
    top: { mediaType: top.mediaType, digest: top.digest, size: top.size },
    unchanged: false,
    blobs: { pushed: 0, mounted: 0, skipped: 0, bytes: 0 },
    manifests: 0,
  };
  if (opts.format && opts.referrers) {
    throw new UsageError('option manifestFormat and option referrers exclude each other: converting changes the digests referrers name', { option: 'manifestFormat' });
  }
  // The tag already names this very manifest: nothing to do, unless referrers may have been added since.
  const current = !opts.format && !opts.tagChecked && opts.tag !== undefined && dst.tagDigest !== undefined ? await dst.tagDigest(opts.tag) : undefined;
  const topPresent = current === top.digest;
  if (topPresent && !opts.referrers) {
    result.unchanged = true;
    return result;
  }
  const session = opts.session ?? new CopySession(opts.jobs ?? DEFAULT_JOBS);
  const report = opts.onProgress;
  const plan = await planCopy(src, dst, { desc: top, bytes: resolved.bytes, doc: resolved.doc }, {
    jobs: session.blobs.limit,
    ...(opts.tag ? { tag: opts.tag } : {}),
    ...(opts.referrers ? { referrers: true } : {}),
    ...(topPresent ? { topPresent: true } : {}),
    ...(opts.includeNondistributable ? { includeNondistributable: true } : {}),
    ...(opts.format ? { everyChild: true } : {}),
  });
  if (opts.format) {
    plan.manifests = convertManifests(plan.manifests, opts.format);
    const converted = plan.manifests.find((m) => m.how.top)!.desc;
    result.top = { mediaType: converted.mediaType, digest: converted.digest, size: converted.size };
    result.digest = converted.digest;
    result.mediaType = converted.mediaType;
  }
  report?.({ kind: 'plan', image: src.description, blobs: plan.blobs.map((b) => ({ digest: b.digest, size: b.size })) });
  result.blobs = await moveBlobs(src, dst, plan.blobs, session, report, signal);
  const sent = result.blobs.pushed + result.blobs.mounted + plan.missingChildren;
  // Asked only when nothing else was sent: a cold copy pays no extra request for it.
  const topExisted = topPresent || (sent === 0 && (await dst.hasManifest(result.top)));
  // The tag names the whole index the platform was picked from, and that platform is complete there: keep the index
  // (a pull of the host's platform after a pull of all platforms changes nothing).
  if (sent === 0 && topExisted && current !== undefined && current !== top.digest && current === resolved.source.digest) {
    result.unchanged = true;
    return result;
  }
  for (const m of plan.manifests) {
    signal?.throwIfAborted();
    await dst.pushManifest(m.desc, m.bytes, m.how);
  }
  result.manifests = plan.manifests.length;
  // A tag the caller found elsewhere (tagChecked) or that named another manifest has just been written.
  const tagUnchanged = opts.tag === undefined || current === result.top.digest;
  result.unchanged = sent === 0 && topExisted && tagUnchanged;
  return result;
}

/** The index with only the children `platforms` keeps; a new document (new digest) only when some are left out. */
function subsetIndex(description: string, resolved: ResolvedImage, platforms: Platform[]): Pick<ResolvedImage, 'top' | 'bytes' | 'doc'> {
  const doc = resolved.doc as ImageIndex;
  const kept = keptChildren(doc, platforms);
  if (!kept.some((c) => c.platform)) {
    throw new NotFoundError(`${description} has no image for ${platforms.map(formatPlatform).join(', ')}`, { code: 'ERR_PLATFORM_NOT_FOUND' });
  }
  if (kept.length === doc.manifests.length) return resolved;
  const digests = new Set(kept.map((c) => c.digest));
  const raw = JSON.parse(resolved.bytes.toString('utf8')) as { manifests: Array<{ digest: string }> };
  const bytes = Buffer.from(JSON.stringify({ ...raw, manifests: raw.manifests.filter((m) => digests.has(m.digest)) }));
  return {
    top: { mediaType: resolved.top.mediaType, digest: sha256Digest(bytes), size: bytes.length },
    bytes,
    doc: parseManifest(bytes, resolved.top.mediaType, description),
  };
}

import type { Descriptor, ImageIndex, ImageManifest } from '../oci/manifest.js';
import { imageBlobs, REFERENCE_DIGEST, REFERENCE_TYPE } from '../oci/manifest.js';
import { isNondistributable } from '../oci/media-types.js';
import { platformMatches, type Platform } from '../oci/platform.js';
import { runPool } from '../util/pool.js';
import { readManifest } from './resolve.js';
import type { DestinationTarget, ManifestPush, SourceTarget } from './target.js';
import { WalkBudget } from './walk-budget.js';

export interface PlanOptions {
  /** Name for the top manifest at the destination. */
  tag?: string;
  /** The destination's tag already names the top manifest: it is not pushed again (what is under it may be). */
  topPresent?: boolean;
  /** Walk referrers (signatures, SBOMs, attestations) of every manifest copied, recursively. */
  referrers?: boolean;
  /** Copy foreign / non-distributable layers too (skipped by default, like docker and skopeo). */
  includeNondistributable?: boolean;
  /** Copy only these platforms' children of the top index (and the attestations of those). */
  platforms?: Platform[];
  /** Plan every child of an index even when the destination has it (a conversion rewrites them all). */
  everyChild?: boolean;
  /** Manifests fetched at once while planning. */
  jobs: number;
}


/** The children of an index that `platforms` keeps: matching images, and attestation manifests of kept images. */
export function keptChildren(doc: ImageIndex, platforms: Platform[] | undefined): Descriptor[] {
  if (!platforms) return doc.manifests;
  const kept = doc.manifests.filter((c) => !c.annotations?.[REFERENCE_TYPE] && c.platform && platforms.some((p) => platformMatches(p, c.platform!)));
  const digests = new Set(kept.map((c) => c.digest));
  return doc.manifests.filter((c) => digests.has(c.digest) || (c.annotations?.[REFERENCE_TYPE] && digests.has(c.annotations[REFERENCE_DIGEST] ?? '')));
}

/** Descriptors with their repeats (same digest) left out, in order. */
function uniqueDigests(children: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return children.filter((c) => !seen.has(c.digest) && seen.add(c.digest));
}

export interface PlannedManifest {
  desc: Descriptor;
  bytes: Buffer;
  how: ManifestPush;
}

export interface CopyPlan {
  /** In push order: children before their index, a subject before its referrers; the top manifest is flagged. */
  manifests: PlannedManifest[];
  /** Every blob the manifests name, once; the destination is asked about each while moving. */
  blobs: Descriptor[];
  /** Manifests under the top one that the destination lacked (0: only the top manifest is new, if that). */
  missingChildren: number;
}

/**
 * Everything a copy of `top` needs, walked from the source: an index's children the destination lacks (fetched in
 * parallel, planned in the index's order), each image's config and layers, and with `referrers` the manifests that
 * refer to any of them, recursively (also to manifests the destination already holds, whose referrers may be new
 * there). Nothing is written.
 */
export async function planCopy(src: SourceTarget, dst: DestinationTarget, top: { desc: Descriptor; bytes: Buffer; doc: ImageIndex | ImageManifest }, opts: PlanOptions): Promise<CopyPlan> {
  const plan: CopyPlan = { manifests: [], blobs: [], missingChildren: 0 };
  const blobs = new Map<string, Descriptor>();
  const seen = new Set<string>();
  const budget = new WalkBudget(`planning the copy of ${src.description}`);

  const walk = async (desc: Descriptor, bytes: Buffer, doc: ImageIndex | ImageManifest, how: ManifestPush, depth: number): Promise<void> => {
    seen.add(desc.digest);
    budget.visit(depth);
    if (doc.kind === 'index') {
      const fetched = new Map<string, Awaited<ReturnType<typeof readManifest>>>();
      // Only the top index is filtered by platform; a source holding part of an index (a partial save) gives what it has.
      // A child listed many times is asked about once.
      await runPool(uniqueDigests(keptChildren(doc, how.top ? opts.platforms : undefined)), opts.jobs, async (child) => {
        if (seen.has(child.digest) || (!opts.everyChild && (await dst.hasManifest(child)))) return;
        if (src.hasManifest && !(await src.hasManifest(child))) return;
        fetched.set(child.digest, await readManifest(src, child));
      });
      for (const child of doc.manifests) {
        const got = fetched.get(child.digest);
        if (seen.has(child.digest)) continue;
        if (!got) {
          await walkPresent(child, depth + 1); // the destination has it: referrers added since may still be missing
          continue;
        }
        plan.missingChildren++;
        await walk(child, got.bytes, got.doc, {}, depth + 1);
      }
    } else {
      for (const blob of imageBlobs(doc)) {
        if (!opts.includeNondistributable && isNondistributable(blob)) continue;
        if (!blobs.has(blob.digest)) blobs.set(blob.digest, blob);
      }
    }
    if (!(how.top && opts.topPresent)) plan.manifests.push({ desc, bytes, how });
    if (opts.referrers && src.referrers) await walkReferrers(desc, depth);
  };

  const walkReferrers = async (subject: Descriptor, depth: number): Promise<void> => {
    const found = await src.referrers!(subject);
    const listed = found.some((r) => !r.tag) && dst.listedReferrers ? new Set(await dst.listedReferrers(subject)) : undefined;
    for (const ref of found) {
      if (seen.has(ref.desc.digest)) continue;
      const present = ref.tag ? (await dst.tagDigest?.(ref.tag)) === ref.desc.digest
        : listed ? listed.has(ref.desc.digest) : await dst.hasManifest(ref.desc);
      if (present) {
        await walkPresent(ref.desc, depth + 1);
        continue;
      }
      const got = await readManifest(src, ref.desc);
      plan.missingChildren++;
      await walk(ref.desc, got.bytes, got.doc, ref.tag ? { tag: ref.tag } : {}, depth + 1);
    }
  };

  const walkPresent = async (desc: Descriptor, depth: number): Promise<void> => {
    if (!opts.referrers || !src.referrers || seen.has(desc.digest)) return;
    seen.add(desc.digest);
    budget.visit(depth);
    await walkReferrers(desc, depth);
  };

  await walk(top.desc, top.bytes, top.doc, { top: true, ...(opts.tag ? { tag: opts.tag } : {}) }, 0);
  plan.blobs = [...blobs.values()];
  return plan;
}

/**
 * What a copy of `top` would send to `dst`, before sending anything: the manifests the plan pushes and the blobs the
 * destination lacks (a HEAD each). `sync --dry-run` reports it for each image it would copy.
 */
export async function pendingBytes(src: SourceTarget, dst: DestinationTarget, top: { desc: Descriptor; bytes: Buffer; doc: ImageIndex | ImageManifest }, opts: PlanOptions): Promise<PendingBytes> {
  const plan = await planCopy(src, dst, top, opts);
  const jobs = opts.jobs;
  const manifestBytes = plan.manifests.reduce((n, m) => n + m.bytes.length, 0);
  let bytes = manifestBytes;
  const missing: Descriptor[] = [];
  await runPool(plan.blobs, jobs, async (blob) => {
    if (await dst.hasBlob(blob)) return;
    bytes += blob.size;
    missing.push(blob);
  });
  return { bytes, blobs: missing.length, manifests: plan.manifests.length, manifestBytes, missing };
}

/** What a copy would send: `bytes` in all, of which `manifestBytes` are manifests, and the `missing` blobs. */
export interface PendingBytes {
  bytes: number;
  blobs: number;
  manifests: number;
  manifestBytes: number;
  /** The blobs the destination lacks (several images' plans name a shared one each: count it once). */
  missing: Descriptor[];
}

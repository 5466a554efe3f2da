import { isReferrersTag } from '../content/referrers.js';
import { copyImage, type CopyProgress } from '../content/copy.js';
import { pendingBytes, type PendingBytes } from '../content/plan.js';
import { resolveImage } from '../content/resolve.js';
import type { CopySession } from '../content/session.js';
import { writeTo, type DestinationTarget, type SourceTarget } from '../content/target.js';
import { ExitCode, RegctlError } from '../errors.js';
import { parseReference, type RepositoryName } from '../ref/parse.js';
import { isDigest, joinSelector } from '../ref/selector.js';
import { runPool } from '../util/pool.js';
import type { CredentialSource } from '../auth/credential.js';
import { OverriddenCredentials } from '../auth/override.js';
import type { OpsContext } from './context.js';
import { copySession } from './copy-session.js';
import { transferContexts, type CredentialOptions } from './credentials.js';
import type { SyncRegistry } from './sync-file.js';
import { registryDestination, registrySource } from './registry-target.js';
import type { SyncJob } from './sync-jobs.js';
import { admit, bringsSignatures, registrySubject, transferPolicy, type Policy, type PolicyOption } from './policy-gate.js';
import { needsSignatures } from '../trust/policy-eval.js';
import { filterTags } from './tag-filter.js';
import { checkShard, inShard, type Shard } from './shard.js';

export const DEFAULT_IMAGE_JOBS = 4;

export type SyncStatus = 'copied' | 'skipped' | 'failed' | 'planned';

/** What became of one image (or of a repository whose tags could not be listed: `failed`, no digest). */
export interface SyncImageResult {
  source: string;
  destination: string;
  /** `planned`: a dry run found the destination lacking or different (it would be copied). */
  status: SyncStatus;
  digest?: string;
  /** Bytes sent: blobs and manifests; on a dry run, what the copy would send (manifests and the blobs the
   * destination lacks), the figure `size` with `to` gives. */
  bytes: number;
  /** Why it failed (`failed` only): its `code`, `message` and `exitCode` as any RegctlError. */
  error?: RegctlError;
}

export interface SyncReport {
  images: SyncImageResult[];
  copied: number;
  skipped: number;
  failed: number;
  planned: number;
  /** Bytes sent; on a dry run, what the sync would send, a blob several images share counted once. */
  bytes: number;
  seconds: number;
  dryRun: boolean;
  /** The shard this report covers, when the sync was one shard of several. */
  shard?: Required<Shard>;
}

export type SyncProgress =
  | { kind: 'images'; total: number }
  | { kind: 'image'; result: SyncImageResult }
  | CopyProgress;

export interface SyncOptions {
  /** Blobs moved at once across every image (one CopySession). */
  jobs?: number;
  /** Images in flight at once. */
  imageJobs?: number;
  /** Compare and report; write nothing. */
  dryRun?: boolean;
  /** Go on past a failed image (or repository); the report says which failed. Otherwise the first failure throws. */
  keepGoing?: boolean;
  /**
   * Also copy the referrers of every manifest copied (signatures, SBOMs, attestations; cosign tags), recursively,
   * like `copy --referrers`. An image already at the destination is then still walked for referrers added since
   * (that costs GETs at the source; without it a synced image costs HEADs only).
   */
  referrers?: boolean;
  /**
   * The trust policy each image must satisfy before it is copied (a path, `system`, or a policy read); default:
   * regctl's config's. A refused image is `failed` (NotTrustedError) — with keepGoing the others go on. Where the
   * policy needs signatures, `referrers` defaults to true: signatures are copied along, cosign's tags travel with
   * their images.
   */
  policy?: PolicyOption | undefined;
  onProgress?: (event: SyncProgress) => void;
  /** Milliseconds clock, for the report's time. */
  now?: () => number;
  /**
   * Credentials for the source registries and for the destination's (stored ones when not given). A sync file's
   * `credentials` win for its registries.
   */
  sourceCredentials?: CredentialOptions | undefined;
  destinationCredentials?: CredentialOptions | undefined;
  /**
   * Mirror only this shard's share (`{ index: 2, count: 4 }`): repositories (or, `by: 'image'`, images) are
   * split by a hash of their source name, so shards 1 … count together mirror exactly what one sync would, each
   * image once. By repository, a shard reads only its own repositories' tag lists.
   */
  shard?: Shard | undefined;
}

interface Item {
  /** Copy referrers: the option, else whether the policy needs signatures for the image. */
  referrers: boolean | undefined;
  source: SourceTarget;
  destination: DestinationTarget;
  reference: string;
  sourceName: string;
  destinationName: string;
  /** The destination's registry (a blob is sent to it once, then mounted). */
  registry: string;
}

/**
 * Mirrors images from source repositories into destination repositories. Every tag is first compared with
 * HEAD requests only (a HEAD is not a pull on Docker Hub): an image whose destination tag already has the
 * source's digest costs no GET and sends nothing. The others are copied whole (an index with every platform,
 * manifests verbatim), `imageJobs` at a time, under one limit of `jobs` blobs for all of them; a blob shared by
 * several tags of one destination repository is sent once.
 */
export async function sync(ctx: OpsContext, allJobs: SyncJob[], opts: SyncOptions = {}): Promise<SyncReport> {
  const shard = opts.shard && checkShard(opts.shard);
  const jobs = shard?.by === 'repository' ? allJobs.filter((j) => inShard(j.source.name, shard)) : allJobs;
  const [sourceCtx, destinationCtx] = await transferContexts(ctx,
    { registries: jobs.map((j) => j.source.registry), credentials: opts.sourceCredentials },
    { registries: jobs.map((j) => j.destination.registry), credentials: opts.destinationCredentials });
  const fileContexts = new Map<SyncRegistry, OpsContext>();
  const sourceOf = (job: SyncJob): OpsContext => {
    if (!job.sourceRegistry) return sourceCtx;
    let c = fileContexts.get(job.sourceRegistry);
    if (!c) fileContexts.set(job.sourceRegistry, (c = registryContext(sourceCtx, job.sourceRegistry)));
    return c;
  };
  const now = opts.now ?? Date.now;
  const started = now();
  const results: SyncImageResult[] = [];
  const report = opts.onProgress;
  const imageJobs = opts.imageJobs ?? DEFAULT_IMAGE_JOBS;
  const destinations = new Map<string, Promise<DestinationTarget>>();
  const destinationOf = (repo: RepositoryName) => {
    let dst = destinations.get(repo.name);
    if (!dst) destinations.set(repo.name, (dst = registryDestination(destinationCtx, { ...repo, name: repo.name })));
    return dst;
  };
  const fail = (source: string, destination: string, err: unknown): void => {
    if (!opts.keepGoing) throw err;
    const result: SyncImageResult = { source, destination, status: 'failed', bytes: 0, error: describe(err) };
    results.push(result);
    report?.({ kind: 'image', result });
  };

  const policy = await transferPolicy(ctx, opts.policy);
  const gate = policy ? { ctx, policy } : undefined;
  const items: Item[] = [];
  const seen = new Set<string>();
  await runPool(jobs, imageJobs, async (job) => {
    try {
      const repo = await registrySource(sourceOf(job), parseReference(job.source.name));
      const listed = job.references ? undefined : await listTags(repo);
      // Under a policy that wants signatures for some of these images, they travel with their images.
      const signed = opts.referrers === undefined && policy !== undefined
        && (job.references ?? listed!).some((t) => !isReferrersTag(t) && needsSignatures(policy, registrySubject(joinSelector(job.source.name, t))));
      const referrers = opts.referrers ?? (signed ? true : undefined);
      // With referrers, the referrers tags and cosign's digest tags travel with their images, not as images.
      const tags = listed?.filter((t) => !referrers || !isReferrersTag(t));
      const references = job.references ?? await filterTags(tags!, job.filter ?? {}, ctx.transport.signal);
      const destination = await destinationOf(job.destination);
      for (const reference of references) {
        const sourceName = joinSelector(job.source.name, reference);
        if (shard?.by === 'image' && !inShard(sourceName, shard)) continue;
        const key = `${sourceName} ${job.destination.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        items.push({ referrers, source: repo.at!(reference), destination, reference, sourceName, destinationName: joinSelector(job.destination.name, reference), registry: job.destination.registry });
      }
    } catch (err) {
      fail(job.source.name, job.destination.name, err);
    }
  });
  report?.({ kind: 'images', total: items.length });

  const session = copySession(ctx, opts.jobs);
  const planned: Array<{ registry: string; pending: PendingBytes }> = [];
  const listed = results.length; // repositories whose tags could not be listed come first, then images in order
  await runPool(items.map((item, i) => ({ item, i })), imageJobs, async ({ item, i }) => {
    let result: SyncImageResult;
    try {
      const { pending, ...outcome } = await syncImage(item, session, opts, gate);
      result = outcome;
      if (pending) planned.push({ registry: item.registry, pending });
    } catch (err) {
      if (!opts.keepGoing) throw err;
      result = { source: item.sourceName, destination: item.destinationName, status: 'failed', bytes: 0, error: describe(err) };
    }
    results[listed + i] = result;
    report?.({ kind: 'image', result });
  });

  const count = (status: SyncStatus) => results.filter((r) => r.status === status).length;
  return {
    images: results,
    copied: count('copied'),
    skipped: count('skipped'),
    failed: count('failed'),
    planned: count('planned'),
    bytes: opts.dryRun ? plannedBytes(planned) : results.reduce((sum, r) => sum + r.bytes, 0),
    seconds: (now() - started) / 1000,
    dryRun: opts.dryRun ?? false,
    ...(shard ? { shard } : {}),
  };
}

/**
 * What a dry run would send in all: every image's manifests, and each blob once per destination registry — the copy
 * sends a blob shared by several tags once and mounts it into the other repositories of that registry, and `size`
 * counts it once too.
 */
function plannedBytes(planned: Array<{ registry: string; pending: PendingBytes }>): number {
  const blobs = new Map<string, number>();
  let bytes = 0;
  for (const { registry, pending } of planned) {
    bytes += pending.manifestBytes;
    for (const b of pending.missing) blobs.set(`${registry} ${b.digest}`, b.size);
  }
  for (const size of blobs.values()) bytes += size;
  return bytes;
}

/** Manifests and blob HEADs at once while a dry run counts what an image would send. */
const DRY_RUN_JOBS = 8;

/** A dry run's result, with what its bytes are made of (for a total that counts a shared blob once). */
type ImageOutcome = SyncImageResult & { pending?: PendingBytes };

async function syncImage(item: Item, session: CopySession, opts: SyncOptions, gate?: { ctx: OpsContext; policy: Policy }): Promise<ImageOutcome> {
  const { source, destination, reference } = item;
  const byDigest = isDigest(reference);
  const names = { source: item.sourceName, destination: item.destinationName };
  // HEADs only (through a mirror too): the source's digest, and the digest the destination's tag points at (or
  // whether it has the digest).
  const digest = byDigest ? reference : (await source.head()).digest;
  // Copy (or count) the very manifest that was compared, even if the tag moves meanwhile.
  let from = !byDigest && source.at ? source.at(digest) : source;
  let referrers = item.referrers;
  if (gate) {
    // Every image is judged, even one the destination has already: a policy that refuses it says so.
    const admitted = await admit(gate.ctx, gate.policy, registrySubject(item.sourceName), item.sourceName, from, { signal: gate.ctx.transport.signal });
    from = admitted.source;
    referrers ??= (await bringsSignatures(gate.ctx, admitted.verdict, registrySubject(item.destinationName))) || undefined;
  }
  const present = byDigest ? ((await destination.hasManifest({ mediaType: '', digest, size: 0 })) ? digest : undefined)
    : await destination.tagDigest?.(reference);
  const same = present === digest;
  if (same && (!referrers || opts.dryRun)) return { ...names, status: 'skipped', digest, bytes: 0 };
  if (opts.dryRun) {
    const { top, bytes, doc } = await resolveImage(from);
    const pending = await pendingBytes(from, destination, { desc: top, bytes, doc }, { jobs: DRY_RUN_JOBS });
    return { ...names, status: 'planned', digest, bytes: pending.bytes, pending };
  }
  // `skipped` only when the destination already had the tag at this digest: a tag written is a tag copied, even
  // when every blob and the manifest were there already (another tag of the same image).
  const copied = await writeTo(destination, (dst) => copyImage(from, dst, {
    session,
    ...(byDigest ? {} : { tag: reference, tagChecked: !same }),
    ...(referrers ? { referrers: true } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  }));
  return { ...names, status: copied.unchanged ? 'skipped' : 'copied', digest: copied.digest, bytes: copied.blobs.bytes };
}

async function listTags(repo: SourceTarget): Promise<string[]> {
  if (!repo.listTags) throw new RangeError(`${repo.description} cannot list tags`);
  return repo.listTags();
}

/** A failure of one image as the report keeps it; cancellation is no image's failure: it ends the sync. */
function describe(err: unknown): RegctlError {
  if (err instanceof RegctlError) return err;
  if (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError')) throw err;
  return new RegctlError('ERR_INTERNAL', err instanceof Error ? err.message : String(err), ExitCode.failure, { cause: err });
}

/**
 * The context a sync file's registry is read with: its TLS settings and credentials over those of the source side
 * (the source's credentials apply to the registries the file gives no credentials for).
 */
function registryContext(ctx: OpsContext, reg: SyncRegistry): OpsContext {
  const host = reg.host;
  const settings = { ...(reg.tlsVerify ? {} : { insecure: true }), ...(reg.certDir ? { certDir: reg.certDir } : {}) };
  const given = reg.credentials;
  if (!Object.keys(settings).length && !given) return ctx;
  const transport = ctx.transport.derive({
    registries: { [host]: settings },
    ...(given ? { credentials: (current: CredentialSource) => new OverriddenCredentials(current, [host], { credential: { ...given } }) } : {}),
  });
  return { ...ctx, transport };
}

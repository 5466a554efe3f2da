import { cosignTags, isReferrersTag, referrersTag } from '../content/referrers.js';
import { readManifest, readSmallBlob } from '../content/resolve.js';
import { ExitCode, NotFoundError, RegctlError, UsageError } from '../errors.js';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci/manifest.js';
import { imageBlobs } from '../oci/manifest.js';
import { parseRepository } from '../ref/parse.js';
import { currentDigest, deleteManifest, headManifest, headManifestDigest } from '../registry/manifests.js';
import { listReferrers } from '../registry/referrers.js';
import { listTags } from '../registry/tags.js';
import { RegistrySource } from '../registry/target.js';
import { removeTag } from '../registry/untag.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { runPool } from '../util/pool.js';
import type { OpsContext } from './context.js';
import { sideClient, type WithCredentials } from './credentials.js';
import { filterTags, patternOf, tagFilter } from './tag-filter.js';

export interface PruneOptions extends WithCredentials {
  /**
   * Keep the newest N images (digests) among those the selected tags name, each with every one of its tags (by the
   * image's `created`, ties by tag order), as Harbor's and ACR's retention count: `latest` and `1.0.6` on one digest
   * are one image.
   */
  keep?: number;
  /** Only tags whose image was created longer ago than this, in ms (before `now`). */
  olderThanMs?: number;
  /** Only tags this regular expression is found in (unanchored, like sync's `tags`; `^…$` for whole tags). */
  match?: string | RegExp;
  /** Never tags this regular expression is found in. */
  exclude?: string | RegExp;
  /** Only tags that are versions in this range (sync's `semver` syntax: `"< 2.0"`, `">= 1.0, < 2.0"`). */
  semver?: string;
  /** Tags any of these is found in are always kept. */
  keepTags?: readonly (string | RegExp)[];
  /** Delete a manifest once its last tag goes (one DELETE by digest; its untagged blobs are then the registry's garbage). */
  deleteUntagged?: boolean;
  /** With deleteUntagged: also delete the cosign tags (`sha256-<hex>.sig/.att/.sbom`) and referrers of the manifests deleted. */
  withSignatures?: boolean;
  /** Plan only: the registry is read (tags, HEADs, configs), never written. */
  dryRun?: boolean;
  /** Go on past a failed deletion; the report lists it. */
  keepGoing?: boolean;
  /** Requests at once (default 8). */
  jobs?: number;
  /** The time `olderThanMs` counts back from (default: the current time). */
  now?: Date;
  onProgress?: (event: PruneProgress) => void;
}

export type PruneProgress = { kind: 'checked'; done: number; total: number } | { kind: 'deleted'; item: PruneAction };

/** Why a tag is kept or deleted. */
export type TagDecision = 'delete' | 'keep';

export interface TagPlan {
  tag: string;
  digest: string;
  /** The image's creation time (ISO 8601) when read (with keep or olderThan). */
  created?: string;
  decision: TagDecision;
  /** `not selected`, `keep-tag`, `newest N`, `created after <the cut-off>`, `no creation time`, `selected`. */
  reason: string;
}

/** One write of the plan: a tag removed (siblings stay), a manifest deleted with the tags on it, a signature or referrer. */
export interface PruneAction {
  kind: 'untag' | 'manifest' | 'signature' | 'referrer';
  /** `repo:tag` for untag and signature tags, `repo@digest` for manifests and referrers. */
  name: string;
  /** The tag removed (untag). */
  tag?: string;
  digest: string;
  /** For a manifest: the tags that go with it. */
  tags?: string[];
  /** Blob bytes only this manifest named among those read (freed by the registry's garbage collection). */
  bytes?: number;
  status: 'planned' | 'done' | 'failed';
  error?: RegctlError;
}

export interface PruneReport {
  repository: string;
  dryRun: boolean;
  tags: TagPlan[];
  actions: PruneAction[];
  deleted: number;
  kept: number;
  failed: number;
  /** Bytes of blobs only the deleted manifests named, when known (undefined when no manifest is deleted). */
  bytesFreed?: number;
}

const DEFAULT_JOBS = 8;

interface TagInfo {
  tag: string;
  digest: string;
  created?: number;
}

/**
 * Retention for a registry repository: select tags (match, exclude, semver, keep-tag), keep the newest `keep` of
 * them and those newer than `olderThanMs`, and remove the rest with the untag rule, so other tags on the same
 * digest survive. A manifest whose last tag goes is deleted only with `deleteUntagged` (its signatures and
 * referrers too with `withSignatures`; never those of a manifest still tagged). Nothing is written on a dry run.
 */
export async function prune(ctx: OpsContext, repository: string, opts: PruneOptions = {}): Promise<PruneReport> {
  const selecting = opts.keep !== undefined || opts.olderThanMs !== undefined || opts.match !== undefined || opts.semver !== undefined;
  if (!selecting) {
    throw new UsageError('say what to prune: option keep, option olderThanMs, option match or option semver', { option: 'keep' });
  }
  if (opts.withSignatures && !opts.deleteUntagged) {
    throw new UsageError('option withSignatures removes the signatures of manifests that are deleted: give option deleteUntagged too', { option: 'withSignatures' });
  }
  const repo = parseRepository(repository);
  const filter = tagFilter({ include: opts.match, exclude: opts.exclude, semver: opts.semver }, { include: 'match', exclude: 'exclude', semver: 'semver' });
  const keepTags = (opts.keepTags ?? []).map((p, i) => patternOf(p, `keepTags[${i}]`));
  const jobs = opts.jobs ?? DEFAULT_JOBS;
  const client = await sideClient(ctx, repo.registry, opts.credentials);
  const name = `${repo.registry}/${repo.repository}`;

  const all = await listTags(client, repo.repository, `listing tags of ${name}`);
  const imageTags = all.filter((t) => !isReferrersTag(t));
  const selected = new Set((await filterTags(imageTags, filter, ctx.transport.signal)).filter((t) => !keepTags.some((re) => re.test(t))));

  // Every image tag's digest (a HEAD each): a digest keeps its manifest while any tag, selected or not, is on it.
  const info = new Map<string, TagInfo>();
  let done = 0;
  await runPool(imageTags, jobs, async (tag) => {
    const digest = await currentDigest(client, repo.repository, tag, `checking ${name}:${tag}`);
    if (digest) info.set(tag, { tag, digest });
    opts.onProgress?.({ kind: 'checked', done: ++done, total: imageTags.length });
  });

  const byAge = opts.keep !== undefined || opts.olderThanMs !== undefined;
  const images = new ImageReader(client, repo.repository, name);
  const candidates = imageTags.filter((t) => selected.has(t) && info.has(t)).map((t) => info.get(t)!);
  if (byAge) {
    await runPool(candidates, jobs, async (c) => {
      c.created = await images.created(c.digest);
    });
  }
  // Newest first; no creation time counts as oldest; ties keep the registry's tag order.
  const position = new Map(imageTags.map((t, i) => [t, i]));
  const order = [...candidates].sort((a, b) => (b.created ?? -Infinity) - (a.created ?? -Infinity) || position.get(a.tag)! - position.get(b.tag)!);
  const cutoff = opts.olderThanMs !== undefined ? (opts.now ?? new Date()).getTime() - opts.olderThanMs : undefined;
  // --keep counts images, not tags: each digest ranks where its newest-listed tag first appears.
  const rank = new Map<string, number>();
  for (const c of order) if (!rank.has(c.digest)) rank.set(c.digest, rank.size);
  const decisions = new Map<string, { decision: TagDecision; reason: string }>();
  order.forEach((c) => {
    if (opts.keep !== undefined && rank.get(c.digest)! < opts.keep) decisions.set(c.tag, { decision: 'keep', reason: `newest ${opts.keep}` });
    else if (cutoff !== undefined && c.created === undefined) decisions.set(c.tag, { decision: 'keep', reason: 'no creation time' });
    else if (cutoff !== undefined && c.created! >= cutoff) decisions.set(c.tag, { decision: 'keep', reason: `created after ${new Date(cutoff).toISOString()}` });
    else decisions.set(c.tag, { decision: 'delete', reason: 'selected' });
  });

  // The plan lists the candidates newest first, then the tags not selected in the registry's order.
  const listed = [...order, ...imageTags.filter((t) => info.has(t) && !decisions.has(t)).map((t) => info.get(t)!)];
  const tags: TagPlan[] = listed.map((t) => {
    const d = decisions.get(t.tag) ?? { decision: 'keep' as const, reason: keepTags.some((re) => re.test(t.tag)) ? 'keep-tag' : 'not selected' };
    return { tag: t.tag, digest: t.digest, ...(t.created !== undefined ? { created: new Date(t.created).toISOString() } : {}), ...d };
  });

  const actions = await planActions(tags, all, opts, images, repo.repository, name);
  const report: PruneReport = {
    repository: name,
    dryRun: opts.dryRun ?? false,
    tags,
    actions,
    deleted: tags.filter((t) => t.decision === 'delete').length,
    kept: tags.filter((t) => t.decision === 'keep').length,
    failed: 0,
  };
  const freed = actions.filter((a) => a.kind === 'manifest').map((a) => a.bytes);
  if (freed.length) report.bytesFreed = freed.reduce<number>((s, b) => s + (b ?? 0), 0);
  if (opts.dryRun) return report;

  await execute(client, repo.repository, actions, opts);
  report.failed = actions.filter((a) => a.status === 'failed').length;
  return report;
}

/**
 * What the decisions mean for the registry: each deleted tag untagged, except that a digest losing its last tag
 * is deleted whole with `deleteUntagged` (its cosign tags and referrers first, with `withSignatures`).
 */
async function planActions(tags: TagPlan[], all: string[], opts: PruneOptions, images: ImageReader, repository: string, name: string): Promise<PruneAction[]> {
  const actions: PruneAction[] = [];
  const kept = new Set(tags.filter((t) => t.decision === 'keep').map((t) => t.digest));
  const goingByDigest = new Map<string, string[]>();
  for (const t of tags.filter((x) => x.decision === 'delete')) goingByDigest.set(t.digest, [...(goingByDigest.get(t.digest) ?? []), t.tag]);

  const deletedDigests = opts.deleteUntagged ? [...goingByDigest.keys()].filter((d) => !kept.has(d)) : [];
  const freed = deletedDigests.length ? await images.exclusiveBytes(deletedDigests, [...kept]) : new Map<string, number>();
  for (const [digest, going] of goingByDigest) {
    if (!deletedDigests.includes(digest)) {
      for (const tag of going) actions.push({ kind: 'untag', name: `${name}:${tag}`, tag, digest, status: 'planned' });
      continue;
    }
    if (opts.withSignatures) {
      for (const tag of cosignTags(digest, all)) {
        const at = await currentDigest(images.client, repository, tag, `checking ${name}:${tag}`);
        if (at) actions.push({ kind: 'signature', name: `${name}:${tag}`, digest: at, status: 'planned' });
      }
      for (const r of await images.referrersOf(digest)) actions.push({ kind: 'referrer', name: `${name}@${r}`, digest: r, status: 'planned' });
      const fallback = referrersTag(digest);
      if (all.includes(fallback)) {
        const at = await currentDigest(images.client, repository, fallback, `checking ${name}:${fallback}`);
        if (at) actions.push({ kind: 'signature', name: `${name}:${fallback}`, digest: at, status: 'planned' });
      }
    }
    actions.push({ kind: 'manifest', name: `${name}@${digest}`, digest, tags: going.sort(), bytes: freed.get(digest) ?? 0, status: 'planned' });
  }
  return actions;
}

/**
 * Carries the plan out in order; a failure stops it unless keepGoing (then the rest is tried and reported). A deleted
 * manifest's actions (its signatures and referrers, then itself) start with a look at the tags as they are now: a
 * tag that arrived on it since the plan leaves the whole group alone.
 */
async function execute(client: RegistryClient, repository: string, actions: PruneAction[], opts: PruneOptions): Promise<void> {
  const deleted = new Set<string>();
  let refused: RegctlError | undefined; // the current group's manifest is tagged again
  for (const [i, action] of actions.entries()) {
    const what = `pruning ${action.name}`;
    try {
      if (action.kind === 'untag') {
        const head = await headManifestDigest(client, repository, action.tag!, what);
        if (head.digest !== action.digest) {
          throw new RegctlError('ERR_TAG_MOVED', `${action.name} moved to ${head.digest} since it was planned; left alone`, ExitCode.failure);
        }
        await removeTag(client, repository, action.tag!, { digest: action.digest, mediaType: head.mediaType }, what);
      } else {
        const first = i === 0 || actions[i - 1]!.kind === 'untag' || actions[i - 1]!.kind === 'manifest';
        if (first) {
          refused = undefined;
          const manifest = actions.slice(i).find((a) => a.kind === 'manifest')!;
          await unchangedTags(client, repository, manifest, opts.jobs ?? DEFAULT_JOBS, what).catch((err: unknown) => {
            if (!(err instanceof RegctlError) || err.code !== 'ERR_TAG_MOVED') throw err;
            refused = err;
          });
        }
        if (refused) throw refused;
        if (!deleted.has(action.digest)) {
          await deleteManifest(client, repository, action.digest, what).catch((err) => {
            if (!(err instanceof NotFoundError)) throw err; // gone already (a signature deleted with its referrer)
          });
          deleted.add(action.digest);
        }
      }
      action.status = 'done';
      opts.onProgress?.({ kind: 'deleted', item: action });
    } catch (err) {
      if (!(err instanceof RegctlError)) throw err;
      action.status = 'failed';
      action.error = err;
      if (!opts.keepGoing) throw err;
    }
  }
}

/**
 * Right before a manifest is deleted: the repository's tags as they are now, each outside the plan asked where it
 * points. A tag pushed or moved onto the digest since the plan (a concurrent `docker push … :prod`) keeps the
 * manifest: ERR_TAG_MOVED, the manifest left alone.
 */
async function unchangedTags(client: RegistryClient, repository: string, action: PruneAction, jobs: number, what: string): Promise<void> {
  const planned = new Set(action.tags ?? []);
  const others = (await listTags(client, repository, what)).filter((t) => !planned.has(t) && !isReferrersTag(t));
  const onIt: string[] = [];
  await runPool(others, jobs, async (tag) => {
    if ((await currentDigest(client, repository, tag, what)) === action.digest) onIt.push(tag);
  });
  if (onIt.length) {
    throw new RegctlError('ERR_TAG_MOVED', `${action.name} is tagged ${onIt.sort().join(', ')} since it was planned; left alone`, ExitCode.failure);
  }
}

/** Manifests and configs read by digest, each once per run. */
class ImageReader {
  private readonly manifests = new Map<string, Promise<{ desc: Descriptor; doc: ImageIndex | ImageManifest }>>();
  constructor(readonly client: RegistryClient, private readonly repository: string, private readonly name: string) {}

  /** The repository as a source at a digest (what readManifest and readSmallBlob read through). */
  private source(digest: string): RegistrySource {
    return new RegistrySource(this.client, this.repository, digest, `${this.name}@${digest}`);
  }

  /** The manifest of a digest (its media type from a HEAD). */
  manifest(digest: string): Promise<{ desc: Descriptor; doc: ImageIndex | ImageManifest }> {
    let got = this.manifests.get(digest);
    if (!got) {
      got = (async () => {
        const head = await headManifest(this.client, this.repository, digest, `reading ${digest}`);
        const desc = { mediaType: head.mediaType, digest, size: head.size };
        return { desc, doc: (await readManifest(this.source(digest), desc)).doc };
      })();
      this.manifests.set(digest, got);
    }
    return got;
  }

  /** An image's `created` (ms since the epoch): an index's newest image; undefined when none says. */
  async created(digest: string): Promise<number | undefined> {
    const { doc } = await this.manifest(digest);
    if (doc.kind === 'index') {
      const times = await Promise.all(doc.manifests.filter((m) => m.platform).map((m) => this.created(m.digest).catch(() => undefined)));
      const known = times.filter((t): t is number => t !== undefined);
      return known.length ? Math.max(...known) : undefined;
    }
    const config = JSON.parse((await readSmallBlob(this.source(digest), doc.config)).toString('utf8')) as { created?: unknown };
    const t = typeof config.created === 'string' ? Date.parse(config.created) : NaN;
    return Number.isNaN(t) || t <= 0 ? undefined : t;
  }

  /** Every blob (config and layers) under a manifest, children of an index included. */
  async blobs(digest: string): Promise<Descriptor[]> {
    const { doc } = await this.manifest(digest);
    if (doc.kind === 'image') return imageBlobs(doc);
    return (await Promise.all(doc.manifests.map((m) => this.blobs(m.digest).catch(() => [])))).flat();
  }

  /** For each deleted manifest, the bytes of its blobs that no kept manifest (nor an earlier deleted one) names. */
  async exclusiveBytes(deleted: string[], kept: string[]): Promise<Map<string, number>> {
    const used = new Set((await Promise.all(kept.map((d) => this.blobs(d)))).flat().map((b) => b.digest));
    const bytes = new Map<string, number>();
    for (const digest of deleted) {
      let n = 0;
      for (const blob of await this.blobs(digest)) {
        if (used.has(blob.digest)) continue;
        used.add(blob.digest);
        n += blob.size;
      }
      bytes.set(digest, n);
    }
    return bytes;
  }

  /** The referrers of a manifest, recursively (signatures of an SBOM too), deepest first. */
  async referrersOf(digest: string, seen = new Set<string>()): Promise<string[]> {
    const out: string[] = [];
    for (const r of await listReferrers(this.client, this.repository, digest)) {
      if (seen.has(r.digest)) continue;
      seen.add(r.digest);
      out.push(...(await this.referrersOf(r.digest, seen)), r.digest);
    }
    return out;
  }
}

import type { Readable, Writable } from 'node:stream';
import { openArchive, type ArchiveImage } from '../archive/reader.js';
import { archiveLimits } from '../archive/extract.js';
import { ArchiveWriter } from '../archive/writer.js';
import { copyImage } from '../content/copy.js';
import { MemoryTarget } from '../content/memory.js';
import { memoSource } from '../content/memo-source.js';
import { planCopy } from '../content/plan.js';
import { resolveImage } from '../content/resolve.js';
import { DEFAULT_JOBS } from '../content/session.js';
import { writeTo, type SourceTarget } from '../content/target.js';
import { NotFoundError, UsageError } from '../errors.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import type { ImageStore } from '../store/store.js';
import type { OpsContext, Warning } from './context.js';
import { copySession } from './copy-session.js';
import { sideContext } from './credentials.js';
import type { TransferOptions } from './transfer-options.js';
import { openStore } from './open-store.js';
import { admit, archiveSubject, registrySubject, transferPolicy, type PolicyOption } from './policy-gate.js';
import { registrySource } from './registry-target.js';
import { withScratch } from './scratch.js';

export interface SaveOptions extends TransferOptions {
  /**
   * What is kept of multi-platform images. Default: the host's platform's image, like docker. One platform: its
   * image (NotFound when an image lacks it). `'all'`: the index whole (attestations included, digest kept). Several:
   * the index with these platforms' images only — a new index holding exactly those entries when that leaves some
   * out (its digest changes; `onWarning` says so). With an index, docker's manifest.json lists the host's image
   * (else the first platform's).
   */
  platform?: Platform[] | 'all';
  /** Told what the archive holds differently from the source (code `NEW_INDEX`: a new index for a subset of platforms). */
  onWarning?: (warning: Warning) => void;
  /** Also save the referrers of each image (signatures, SBOMs, attestations). */
  referrers?: boolean;
  /** Save foreign / non-distributable layers too (left out by default, like docker and skopeo). */
  includeNondistributable?: boolean;
  /**
   * The trust policy images fetched from a registry must satisfy (a path, `system`, or a policy read); default:
   * regctl's config's. Images of the local store were judged when they were pulled. Every image is judged before
   * the archive is begun: one refused (NotTrustedError) and no file is written.
   */
  policy?: PolicyOption | undefined;
}

/**
 * Writes several images into one tarball that `docker load`, podman and skopeo read: an OCI layout plus docker's
 * manifest.json and repositories, with the registry's compressed layers so digests survive. Images not in the
 * local store are fetched from their registry. The file appears only when complete.
 */
export async function save(ctx: OpsContext, images: string[], out: { path: string } | { stream: Writable }, opts: SaveOptions = {}): Promise<string[]> {
  const store = await openStore(ctx);
  const { platform: platforms, onWarning, credentials, policy: given, ...rest } = opts;
  const policy = await transferPolicy(ctx, given);
  const whole = platforms === 'all' || (platforms !== undefined && platforms.length > 1);
  const list = Array.isArray(platforms) ? platforms : undefined;
  const platform = list?.length === 1 ? list[0]! : ctx.platform;
  const dockerPlatform = !whole ? platform : list && !list.some((p) => platformMatches(p, ctx.platform)) ? list[0]! : ctx.platform;
  const session = copySession(ctx, opts.jobs);
  const remote = await sideContext(ctx, images.map((i) => parseReference(i).registry), credentials);
  const choice = whole ? (list ? { platforms: list } : {}) : { platform, strictPlatform: list !== undefined };
  // Every image is planned before any moves, so progress counts the whole archive from its first line.
  const sources: SourceTarget[] = [];
  const planned = new Map<string, { digest: string; size: number }>();
  for (const image of images) {
    const found = await localOrRemote(remote, store, parseReference(image).name);
    const source = policy && found.remote
      ? (await admit(ctx, policy, registrySubject(image), image, found.source, { ...(whole ? { ...(list ? { platforms: list } : {}) } : { platform, strict: choice.strictPlatform ?? false }), signal: ctx.transport.signal })).source
      : memoSource(found.source);
    const top = await resolveImage(source, whole ? {} : { platform, strict: choice.strictPlatform ?? false });
    const plan = await planCopy(source, new MemoryTarget('nowhere'), { desc: top.top, bytes: top.bytes, doc: top.doc }, {
      jobs: opts.jobs ?? DEFAULT_JOBS,
      ...(list && whole ? { platforms: list } : {}),
      ...(rest.referrers ? { referrers: true } : {}),
      ...(rest.includeNondistributable ? { includeNondistributable: true } : {}),
    });
    for (const b of plan.blobs) planned.set(b.digest, { digest: b.digest, size: b.size });
    sources.push(source);
  }
  rest.onProgress?.({ kind: 'plan', image: images.join(', '), blobs: [...planned.values()] });
  return writeTo(new ArchiveWriter(out, { platform: dockerPlatform }), async (writer) => {
    const names: string[] = [];
    for (const [i, image] of images.entries()) {
      const ref = parseReference(image);
      const saved = await copyImage(sources[i]!, writer, { ...rest, ...choice, session, tag: ref.name, signal: ctx.transport.signal });
      if (whole && saved.digest !== saved.sourceDigest) {
        onWarning?.({
          code: 'NEW_INDEX',
          message: `${ref.familiar}: saved as a new index with only ${list!.map(formatPlatform).join(', ')} (digest ${saved.digest}; the source's index is ${saved.sourceDigest})`,
        });
      }
      names.push(ref.name);
    }
    return names;
  });
}

async function localOrRemote(ctx: OpsContext, store: ImageStore, name: string): Promise<{ source: SourceTarget; remote: boolean }> {
  const local = store.source(name);
  try {
    await local.resolve();
    return { source: local, remote: false };
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    return { source: await registrySource(ctx, parseReference(name)), remote: true };
  }
}

export interface LoadOptions extends TransferOptions {
  /** A name for the image the archive leaves unnamed (or for its only image). */
  name?: string;
  /**
   * The trust policy the archive's images must satisfy (a path, `system`, or a policy read; transport
   * `docker-archive`, whose only scope is `""`); default: regctl's config's. Every image is judged before any is
   * loaded: one refused (NotTrustedError) and nothing is loaded.
   */
  policy?: PolicyOption | undefined;
}

export interface LoadResult {
  /** Names loaded into the store. */
  names: string[];
  /** Digests of images the archive does not name, kept in the store by digest (`<none>` in `images`). */
  unnamed: string[];
}

/**
 * Reads a tarball (regctl's, docker's legacy or 25+ save, an OCI archive; plain or gzip) into the local store. The
 * archive is checked whole first (paths, links, sizes, digests, diff_ids): a bad one imports nothing (exit 6).
 */
export async function load(ctx: OpsContext, input: { path: string } | { stream: Readable }, opts: LoadOptions = {}): Promise<LoadResult> {
  const { name: given, credentials: _, policy: asked, ...copyOpts } = opts;
  const policy = await transferPolicy(ctx, asked);
  const named = given === undefined ? undefined : parseReference(given).name;
  const signal = ctx.transport.signal;
  const store = await openStore(ctx);
  return withScratch(ctx, async (tmp) => {
    const archive = await openArchive(input, tmp, { limits: archiveLimits(ctx.env), signal });
    try {
      if (archive.images.length === 0) throw new NotFoundError(`${archive.description} holds no images: nothing was loaded`, { code: 'ERR_IMAGE_NOT_FOUND' });
      const unnamed = archive.images.filter((i) => !i.name);
      const renamed = named === undefined ? undefined : unnamed.length > 0 ? unnamed : archive.images.length === 1 ? archive.images : [];
      if (renamed && renamed.length !== 1) {
        throw new UsageError(`option name names one image, but ${archive.description} has ${renamed.length === 0 ? 'no unnamed image' : `${renamed.length} unnamed images`}`, { option: 'name' });
      }
      const result: LoadResult = { names: [], unnamed: [] };
      const session = copySession(ctx, opts.jobs);
      const sources = new Map<ArchiveImage, SourceTarget>();
      if (policy) {
        for (const image of archive.images) {
          const what = `${archive.description}${image.name ? `:${image.name}` : ''}`;
          sources.set(image, (await admit(ctx, policy, archiveSubject(image.name), what, image.source, { signal })).source);
        }
      }
      for (const img of archive.images) {
        const image = { ...img, source: sources.get(img) ?? img.source };
        const name = img === renamed?.[0] ? named : image.name;
        if (name === undefined) {
          const copied = await writeTo(store.destination(), (dst) => copyImage(image.source, dst, { ...copyOpts, session, signal }));
          result.unnamed.push(copied.digest);
          continue;
        }
        await writeTo(store.destination(), (dst) => copyImage(image.source, dst, { ...copyOpts, session, signal, tag: store.nameOf(name) }));
        if (image.name && image.name !== name) {
          await store.tag(name, image.name); // the archive's own name too: a second name, no second copy
          result.names.push(image.name);
        }
        result.names.push(name);
      }
      return result;
    } finally {
      await archive.close();
    }
  });
}

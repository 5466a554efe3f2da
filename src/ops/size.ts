import { MemoryTarget } from '../content/memory.js';
import { planCopy } from '../content/plan.js';
import { resolveImage } from '../content/resolve.js';
import { DEFAULT_JOBS } from '../content/session.js';
import type { DestinationTarget } from '../content/target.js';
import type { Descriptor } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import { runPool } from '../util/pool.js';
import type { OpsContext } from './context.js';
import { sideContext, type WithCredentials } from './credentials.js';
import { locationRegistries, parseLocation, withSource } from './transports/index.js';

export interface SizeOptions extends WithCredentials {
  /**
   * The image of this platform out of an index (default: the context's, the host's, as pull takes it; a single image
   * must be that platform), or `'all'`: indexes whole, every platform's image (and attestations).
   */
  platform?: Platform | 'all';
  /** A destination (any location a copy writes to): also count what it lacks (a HEAD per blob and manifest). */
  to?: string;
  /** Requests at once (default 8). */
  jobs?: number;
}

/** Bytes as a registry stores them: compressed layers, configs and manifests. */
export interface SizeFigures {
  bytes: number;
  blobs: number;
  manifests: number;
  /** With `to`: what the destination lacks of it. */
  missing?: { bytes: number; blobs: number; manifests: number };
}

export interface ImageSize extends SizeFigures {
  image: string;
  /** The digest of what is counted (the platform's image when one was picked out of an index). */
  digest: string;
}

export interface SizeReport {
  images: ImageSize[];
  /** Every image together, a blob or manifest shared by several counted once. */
  total: SizeFigures;
}

interface Counted {
  blobs: Descriptor[];
  manifests: Descriptor[];
}

/**
 * What moving images would cost before moving them: the bytes of each image's manifests, config and layers, the
 * total with shared blobs counted once and, with `to`, what the destination still lacks (asked blob by blob).
 * Reads manifests and nothing else; writes nothing.
 */
export async function size(ctx: OpsContext, images: readonly string[], opts: SizeOptions = {}): Promise<SizeReport> {
  const jobs = opts.jobs ?? DEFAULT_JOBS;
  ctx = await sideContext(ctx, [...images, ...(opts.to ? [opts.to] : [])].flatMap(locationRegistries), opts.credentials);
  const counted: Array<Counted & { image: string; digest: string }> = [];
  for (const image of images) counted.push({ image, ...(await countImage(ctx, image, opts, jobs)) });

  const present = opts.to ? await presentAt(ctx, opts.to, counted, jobs) : undefined;
  const count = (c: Counted) => ({ bytes: sum(c.blobs) + sum(c.manifests), blobs: c.blobs.length, manifests: c.manifests.length });
  const figures = (c: Counted): SizeFigures => ({
    ...count(c),
    ...(present ? { missing: count({ blobs: c.blobs.filter((d) => !present.has(d.digest)), manifests: c.manifests.filter((d) => !present.has(d.digest)) }) } : {}),
  });
  const union = (pick: (c: Counted) => Descriptor[]) => [...new Map(counted.flatMap(pick).map((d) => [d.digest, d])).values()];
  return {
    images: counted.map((c) => ({ image: c.image, digest: c.digest, ...figures(c) })),
    total: figures({ blobs: union((c) => c.blobs), manifests: union((c) => c.manifests) }),
  };
}

/** The manifests and blobs a copy of the image would consider: the copy engine's own plan, against nothing. */
async function countImage(ctx: OpsContext, image: string, opts: SizeOptions, jobs: number): Promise<Counted & { digest: string }> {
  return withSource(ctx, image, async ({ target }) => {
    const platform = opts.platform === 'all' ? undefined : (opts.platform ?? ctx.platform);
    const top = await resolveImage(target, { ...(platform ? { platform } : {}), strict: opts.platform !== undefined });
    const plan = await planCopy(target, new MemoryTarget('nowhere'), { desc: top.top, bytes: top.bytes, doc: top.doc }, { jobs });
    return { digest: top.top.digest, blobs: plan.blobs, manifests: plan.manifests.map((m) => m.desc) };
  });
}

/** The digests among `counted` that the destination holds already. */
async function presentAt(ctx: OpsContext, to: string, counted: Counted[], jobs: number): Promise<Set<string>> {
  const opened = await parseLocation(to).openDestination(ctx, {});
  const dst: DestinationTarget = opened.target;
  try {
    const present = new Set<string>();
    const blobs = [...new Map(counted.flatMap((c) => c.blobs).map((d) => [d.digest, d])).values()];
    const manifests = [...new Map(counted.flatMap((c) => c.manifests).map((d) => [d.digest, d])).values()];
    await runPool(blobs, jobs, async (b) => {
      if (await dst.hasBlob(b)) present.add(b.digest);
    });
    await runPool(manifests, jobs, async (m) => {
      if (await dst.hasManifest(m)) present.add(m.digest);
    });
    return present;
  } finally {
    await dst.abort?.().catch(() => undefined);
    await opened.close();
  }
}

const sum = (list: Descriptor[]) => list.reduce((n, d) => n + d.size, 0);

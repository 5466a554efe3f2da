import type { CopyProgress } from '../content/copy.js';
import type { Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import { removeImage, type RemoveResult } from '../store/remove.js';
import type { StoreImage } from '../store/store.js';
import type { OpsContext } from './context.js';
import type { CredentialOptions } from './credentials.js';
import { copyLocations } from './copy.js';
import { openStore } from './open-store.js';
import { dockerTransport } from './transports/docker.js';
import { localTransport } from './transports/local.js';

export interface TransferOptions {
  jobs?: number | undefined;
  onProgress?: ((event: CopyProgress) => void) | undefined;
  /** Credentials for the registry (stored ones when not given). */
  credentials?: CredentialOptions | undefined;
}

export interface PullOptions extends TransferOptions {
  /**
   * The platforms kept of a multi-platform index: `'all'` (the index whole), one (its image; NotFound when the image
   * lacks it), or several (a new index of exactly those). Default: the host's platform, like docker.
   */
  platform?: Platform[] | 'all';
}

export interface PullResult {
  name: string;
  /** What the reference points at in the registry (the index for a multi-platform image), as docker prints it. */
  digest: string;
  upToDate: boolean;
}

/** registry → local store: a copy from `IMAGE` to `local:IMAGE`. */
export async function pull(ctx: OpsContext, image: string, opts: PullOptions = {}): Promise<PullResult> {
  const { platform: asked, credentials, ...rest } = opts;
  // Like docker's RepoDigests, a pull by digest names the digest pulled (an index's) even when the image stored is
  // the host platform's out of it: the store name is not a digest the stored manifest must have.
  const { expectDigest: _, ...into } = localTransport.parse(image, `local:${image}`);
  const result = await copyLocations(ctx, registryLocation(image), into, {
    ...rest,
    sourceCredentials: credentials,
    ...(asked === undefined ? { platform: ctx.platform } : asked === 'all' ? {} : asked.length === 1 ? { platform: asked[0]!, strictPlatform: true } : { platforms: asked }),
  });
  return { name: parseReference(image).name, digest: result.sourceDigest, upToDate: result.unchanged };
}

/** local store → registry: a copy from `local:IMAGE` to `IMAGE`. */
export async function push(ctx: OpsContext, image: string, opts: TransferOptions = {}): Promise<{ name: string; digest: string; size: number }> {
  const { credentials, ...rest } = opts;
  const result = await copyLocations(ctx, localTransport.parse(image, `local:${image}`), registryLocation(image), { ...rest, destinationCredentials: credentials });
  return { name: parseReference(image).name, digest: result.digest, size: result.top.size };
}

/** An image reference as a registry location (never a transport prefix: pull and push take plain references). */
const registryLocation = (image: string) => dockerTransport.parse(image, image);

/** Another name for a local image; no data is copied. */
export async function tag(ctx: OpsContext, source: string, target: string): Promise<void> {
  await (await openStore(ctx)).tag(source, target);
}

/** The images of the local store; with `filter` (`REPOSITORY[:TAG]`, as docker), only those of that repository (and tag). */
export async function images(ctx: OpsContext, filter?: string): Promise<StoreImage[]> {
  const list = await (await openStore(ctx)).list();
  if (filter === undefined) return list;
  const want = parseReference(filter);
  return list.filter((i) => {
    const r = parseReference(i.name);
    return r.registry === want.registry && r.repository === want.repository && (want.tag === undefined || r.tag === want.tag);
  });
}

export type RemoveOutcome = { image: string } & ({ result: RemoveResult } | { error: unknown });

/** Removes each image (see store/remove.ts) and reports each: one failure does not stop the others. */
export async function removeImages(ctx: OpsContext, refs: string[], opts: { force?: boolean } = {}): Promise<RemoveOutcome[]> {
  const store = await openStore(ctx);
  const out: RemoveOutcome[] = [];
  for (const image of refs) {
    try {
      out.push({ image, result: await removeImage(store, image, opts) });
    } catch (error) {
      out.push({ image, error });
    }
  }
  return out;
}

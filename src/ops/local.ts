import { copyImage, type CopyProgress } from '../content/copy.js';
import { writeTo } from '../content/target.js';
import type { Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import { removeImage, type RemoveResult } from '../store/remove.js';
import { ImageStore, storePath, type StoreImage } from '../store/store.js';
import type { OpsContext } from './context.js';
import { sideContext, type CredentialOptions } from './credentials.js';
import { registryDestination, registrySource, registryTag } from './registry-target.js';

export interface TransferOptions {
  jobs?: number | undefined;
  onProgress?: ((event: CopyProgress) => void) | undefined;
  /** Credentials for the registry (stored ones when not given). */
  credentials?: CredentialOptions | undefined;
}

export interface PullOptions extends TransferOptions {
  /** Default: the host's platform, like docker; an explicit platform that the image lacks is NotFound. */
  platform?: Platform;
  /** Keep the whole multi-platform index. */
  allPlatforms?: boolean;
}

export interface PullResult {
  name: string;
  /** What the reference points at in the registry (the index for a multi-platform image), as docker prints it. */
  digest: string;
  upToDate: boolean;
}

/** The local image store of this environment. */
export function openStore(ctx: OpsContext): Promise<ImageStore> {
  return ImageStore.open(storePath(ctx.env, ctx.homedir));
}

/** registry → local store. */
export async function pull(ctx: OpsContext, image: string, opts: PullOptions = {}): Promise<PullResult> {
  const ref = parseReference(image);
  const store = await openStore(ctx);
  const { credentials, allPlatforms, ...copyOpts } = opts;
  const platform = allPlatforms ? undefined : (opts.platform ?? ctx.platform);
  const source = await registrySource(await sideContext(ctx, [ref.registry], credentials), ref);
  const result = await writeTo(store.destination(ref.name), (dst) => copyImage(source, dst, {
    ...copyOpts,
    ...(platform ? { platform, strictPlatform: opts.platform !== undefined } : {}),
    tag: ref.tag ?? ref.digest ?? 'latest',
  }));
  return { name: ref.name, digest: result.sourceDigest, upToDate: result.unchanged };
}

/** local store → registry. */
export async function push(ctx: OpsContext, image: string, opts: TransferOptions = {}): Promise<{ name: string; digest: string; size: number }> {
  const ref = parseReference(image);
  const store = await openStore(ctx);
  const { credentials, ...copyOpts } = opts;
  const target = await registryDestination(await sideContext(ctx, [ref.registry], credentials), ref);
  const tag = registryTag(ref);
  const source = store.source(ref.name);
  const result = await copyImage(source, target, { ...copyOpts, ...(tag ? { tag } : {}) });
  return { name: ref.name, digest: result.digest, size: result.top.size };
}

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

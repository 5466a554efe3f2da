import { copyImage, type CopyProgress } from '../content/copy.js';
import { writeTo } from '../content/target.js';
import type { Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import { ImageStore, storePath, type StoreImage } from '../store/store.js';
import type { OpsContext } from './context.js';
import { registryDestination, registrySource } from './registry-target.js';

export interface TransferOptions {
  jobs?: number;
  onProgress?: (event: CopyProgress) => void;
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
  const platform = opts.allPlatforms ? undefined : (opts.platform ?? ctx.platform);
  const source = await registrySource(ctx, ref);
  const result = await writeTo(store.destination(ref.name), (dst) => copyImage(source, dst, {
    ...opts,
    ...(platform ? { platform, strictPlatform: opts.platform !== undefined } : {}),
    tag: ref.tag ?? ref.digest ?? 'latest',
  }));
  return { name: ref.name, digest: result.sourceDigest, upToDate: result.unchanged };
}

/** local store → registry. */
export async function push(ctx: OpsContext, image: string, opts: TransferOptions = {}): Promise<{ name: string; digest: string; size: number }> {
  const ref = parseReference(image);
  const store = await openStore(ctx);
  const target = await registryDestination(ctx, ref);
  const tag = ref.tag ?? (ref.digest ? undefined : 'latest');
  const source = store.source(ref.name);
  const result = await copyImage(source, target, { ...opts, ...(tag ? { tag } : {}) });
  return { name: ref.name, digest: result.digest, size: result.top.size };
}

/** Another name for a local image; no data is copied. */
export async function tag(ctx: OpsContext, source: string, target: string): Promise<void> {
  await (await openStore(ctx)).tag(source, target);
}

export async function images(ctx: OpsContext): Promise<StoreImage[]> {
  return (await openStore(ctx)).list();
}

/** Untags each image and removes the blobs no other image needs. */
export async function removeImages(ctx: OpsContext, refs: string[]): Promise<{ untagged: string[]; deletedBytes: number }> {
  const store = await openStore(ctx);
  const out = { untagged: [] as string[], deletedBytes: 0 };
  for (const ref of refs) {
    const r = await store.remove(ref);
    out.untagged.push(...r.untagged);
    out.deletedBytes += r.deletedBytes;
  }
  return out;
}

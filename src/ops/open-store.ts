import { ImageStore, storePath } from '../store/store.js';
import type { OpsContext } from './context.js';

/** The local image store of this environment. */
export function openStore(ctx: OpsContext): Promise<ImageStore> {
  return ImageStore.open(storePath(ctx.env, ctx.homedir));
}

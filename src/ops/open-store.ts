import { ImageStore } from '../store/store.js';
import type { OpsContext } from './context.js';

/** The local image store of the context. */
export function openStore(ctx: OpsContext): Promise<ImageStore> {
  return ImageStore.open(ctx.storePath);
}

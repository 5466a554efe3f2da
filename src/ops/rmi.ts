import { removeImage, type RemoveResult } from '../store/remove.js';
import type { OpsContext } from './context.js';
import { openStore } from './open-store.js';

export type RemoveOutcome = { image: string } & ({ result: RemoveResult } | { error: unknown });

export interface RmiOptions {
  /** Remove an image ID that several repositories name: untag them all. */
  force?: boolean;
}

/** Removes each local image (see store/remove.ts) and reports each: one failure does not stop the others. */
export async function rmi(ctx: OpsContext, refs: readonly string[], opts: RmiOptions = {}): Promise<RemoveOutcome[]> {
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

import type { OpsContext } from './context.js';
import { openStore } from './open-store.js';

/** Another name for a local image; no data is copied. */
export async function tag(ctx: OpsContext, source: string, target: string): Promise<void> {
  await (await openStore(ctx)).tag(source, target);
}

import { rfc3339 } from '../image/config-edit.js';
import { editImage } from '../image/edit-image.js';
import type { LayerCompression } from '../image/layer-writer.js';
import { writeLayer } from '../image/layer-writer.js';
import { mergeLayers } from '../image/merge-layers.js';
import { historyEntry, newLayer, setLayers } from '../image/set-layers.js';
import { changeImage, type ChangeOptions, type ChangeResult } from './change-image.js';
import type { OpsContext } from './context.js';
import { reproducibleTime } from './reproducible.js';

export interface FlattenOptions extends ChangeOptions {
  /** Default gzip. */
  compress?: LayerCompression;
  /** The history entry's time from SOURCE_DATE_EPOCH (or 0) instead of now. */
  reproducible?: boolean;
}

/**
 * Replaces an image's layers with one holding the filesystem they make (whiteouts applied; crane flatten), per
 * platform of an index; the config keeps everything but its layer list and history (one entry).
 */
export function flatten(ctx: OpsContext, image: string, opts: FlattenOptions = {}): Promise<ChangeResult> {
  const created = reproducibleTime(ctx, opts.reproducible) ?? new Date();
  return changeImage(ctx, image, opts, (src, scratch) => editImage(src, async (parts, out) => {
    const signal = ctx.transport.signal;
    const merged = await mergeLayers(src, parts.doc.layers, scratch, signal);
    const layer = newLayer(parts, await writeLayer(merged, scratch, opts.compress ?? 'gzip', signal), out, opts.format);
    const next = setLayers(parts, [layer], [historyEntry('regctl flatten', created, `flattened from ${parts.doc.layers.length} layers`)]);
    return { ...next, config: { ...next.config, created: rfc3339(created) } };
  }, opts.platform ? { platform: opts.platform } : {}));
}

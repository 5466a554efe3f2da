import { readSmallBlob, resolveImage } from '../content/resolve.js';
import type { SourceTarget } from '../content/target.js';
import { UsageError } from '../errors.js';
import { parseConfig } from '../image/config-edit.js';
import { checkLayer, eachLayerEntry } from '../image/layer-entries.js';
import type { Descriptor } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import type { WithCredentials } from './credentials.js';
import { withSource } from './transports/index.js';
import { runPool } from '../util/pool.js';

/** Layers streamed at once to count their unpacked sizes. */
const UNPACK_JOBS = 4;

export interface HistoryOptions extends WithCredentials {
  /** In an index, this platform's image (default: the host's); a single image must be of it when given. */
  platform?: Platform;
  /**
   * Read each layer to give its unpacked size (`unpackedSize`: the bytes of the files it holds, what `docker history`
   * prints). Default true; false gives only the compressed sizes the manifest states, reading no layer.
   */
  unpacked?: boolean;
}

/** One step of an image's history, with the layer it made. */
export interface HistoryRow {
  /** When the step ran (RFC 3339, as the config says it); absent when the config does not say. */
  created?: string;
  /** The command of the step (`/bin/sh -c #(nop)  CMD ["sh"]`); '' when not recorded. */
  createdBy: string;
  author?: string;
  comment: string;
  /** The step changed no files: it made no layer. */
  emptyLayer: boolean;
  /** The layer the step made (its descriptor as the manifest names it, and its diff_id); absent for an empty step. */
  layer?: Descriptor & { diffId?: string };
  /** The layer's compressed size (its blob's, from the manifest); 0 for an empty step. */
  size: number;
  /** The layer's unpacked size: the bytes of the files it holds, as `docker history` counts them; 0 for an empty step. */
  unpackedSize?: number;
}

export interface HistoryResult {
  /** The manifest's digest (the platform's, out of an index). */
  digest: string;
  /** The config's digest (docker's image ID). */
  config: string;
  platform?: Platform;
  /** Newest first, as `docker history` lists them. Layers no history step accounts for are listed with an empty `createdBy`. */
  rows: HistoryRow[];
}

/**
 * An image's history (docker history): one row per step its config records, newest first, each with the layer it
 * made (steps marked `empty_layer` made none). With `unpacked` (the default) each layer is streamed once (4 at once) to count the
 * bytes of its files, as docker's SIZE column does; otherwise only compressed sizes are given. Any location.
 */
export async function history(ctx: OpsContext, image: string, opts: HistoryOptions = {}): Promise<HistoryResult> {
  return withSource(ctx, image, async ({ target: src }) => {
    const { doc, top } = await resolveImage(src, { platform: opts.platform ?? ctx.platform, strict: opts.platform !== undefined });
    if (doc.kind !== 'image') throw new UsageError(`${src.description} is an index of indexes; name one of its images`);
    const config = parseConfig(await readSmallBlob(src, doc.config), `${src.description}: config ${doc.config.digest}`);
    const rootfs = typeof config.rootfs === 'object' && config.rootfs !== null ? config.rootfs as { diff_ids?: unknown } : {};
    const diffIds = Array.isArray(rootfs.diff_ids) ? rootfs.diff_ids : [];
    const steps = Array.isArray(config.history) ? config.history as unknown[] : [];
    const rows: HistoryRow[] = [];
    let next = 0;
    const layerAt = (i: number): HistoryRow['layer'] | undefined => {
      const desc = doc.layers[i];
      if (!desc) return undefined;
      const diffId = diffIds[i];
      return { ...desc, ...(typeof diffId === 'string' ? { diffId } : {}) };
    };
    for (const raw of steps) {
      const step = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const emptyLayer = step.empty_layer === true;
      const layer = emptyLayer ? undefined : layerAt(next++);
      rows.push({
        ...(typeof step.created === 'string' ? { created: step.created } : {}),
        createdBy: text(step.created_by),
        ...(typeof step.author === 'string' && step.author ? { author: step.author } : {}),
        comment: text(step.comment),
        emptyLayer,
        ...(layer ? { layer } : {}),
        size: layer?.size ?? 0,
      });
    }
    for (; next < doc.layers.length; next++) rows.push({ createdBy: '', comment: '', emptyLayer: false, layer: layerAt(next)!, size: doc.layers[next]!.size });
    if (opts.unpacked !== false) {
      const sizes = new Map<string, number>();
      const layers = [...new Map(rows.flatMap((r) => (r.layer ? [[r.layer.digest, r.layer] as const] : []))).values()];
      await runPool(layers, UNPACK_JOBS, async (l) => void sizes.set(l.digest, await unpackedSize(src, l, ctx.transport.signal)));
      for (const row of rows) row.unpackedSize = row.layer ? sizes.get(row.layer.digest)! : 0;
    }
    const platform = platformOf(config);
    return { digest: top.digest, config: doc.config.digest, ...(platform ? { platform } : {}), rows: rows.reverse() };
  }, opts.credentials);
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function platformOf(config: Record<string, unknown>): Platform | undefined {
  if (typeof config.os !== 'string' || typeof config.architecture !== 'string') return undefined;
  return { os: config.os, architecture: config.architecture, ...(typeof config.variant === 'string' ? { variant: config.variant } : {}) };
}

/** The bytes of the regular files a layer holds (its tar's file sizes summed), streamed and verified. */
async function unpackedSize(src: SourceTarget, desc: Descriptor, signal: AbortSignal | undefined): Promise<number> {
  checkLayer(desc, src.description);
  let total = 0;
  await eachLayerEntry(src, desc, signal, (h) => {
    if (h.type === 'file' || h.type === 'contiguous-file' || h.type == null) total += h.size ?? 0;
  });
  return total;
}

import { posix } from 'node:path';
import { rfc3339, rootfsOf } from '../image/config-edit.js';
import type { SourceTarget } from '../content/target.js';
import { editImage } from '../image/edit-image.js';
import { EditedSource } from '../image/edited-source.js';
import { layerTar, type LayerInput } from '../image/layer-input.js';
import { writeLayer, type BuiltLayer, type LayerCompression } from '../image/layer-writer.js';
import { historyEntry, layersOf, newLayer, setLayers } from '../image/set-layers.js';
import { UsageError } from '../errors.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST_V2, OCI_CONFIG, OCI_MANIFEST } from '../oci/media-types.js';
import type { Platform } from '../oci/platform.js';
import { changeImage, type ChangeOptions, type ChangeResult } from './change-image.js';
import type { OpsContext } from './context.js';
import { reproducibleTime } from './reproducible.js';
import { baseRecord, sameLocation } from './base-record.js';
import { withBaseAnnotations } from '../oci/base-annotations.js';

export type { LayerInput } from '../image/layer-input.js';

export interface AppendOptions extends ChangeOptions {
  /** One new layer per input, in order: a tar file (plain, gzip or zstd) or a directory (`dest` inside the image). */
  layers: LayerInput[];
  /** Default gzip. */
  compress?: LayerCompression;
  /** Owner of every entry of the new layers (a directory's default to 0:0, a tar's are kept). */
  uid?: number;
  gid?: number;
  /** Timestamps from SOURCE_DATE_EPOCH (or 0): mtimes clamped, created times set, so the same inputs give the same digest. */
  reproducible?: boolean;
  /**
   * What each layer's history entry says created it. Default: the input (`regctl append -f PATH`, `regctl append
   * --dir DIR:/DEST`); with `reproducible`, nothing of the host (no path: `regctl append --dir <directory>:/DEST`),
   * so the same files give the same digest wherever they are.
   */
  createdBy?: string[];
}

/** The base `scratch`: an image with no layers. */
export const SCRATCH = 'scratch';

/**
 * Adds layers made from tars or directories on top of an image (crane append, regclient `--layer-add`), with their
 * diff_ids and history entries; each layer is built once into a temp file and added to every platform changed.
 * `base` may be `scratch` (an empty image of `opts.platform` or the host's; `opts.to` then required). The context's
 * signal stops the reading of tars and directories at once; nothing is written then.
 */
export async function append(ctx: OpsContext, base: string, opts: AppendOptions): Promise<ChangeResult> {
  if (!opts.layers?.length) throw new UsageError('append needs at least one layer: give option layers', { option: 'layers' });
  const epoch = reproducibleTime(ctx, opts.reproducible);
  const created = epoch ?? new Date();
  const fromScratch = base === SCRATCH;
  if (fromScratch && !opts.to) throw new UsageError('append to scratch makes a new image: give option to', { option: 'to' });
  const signal = ctx.transport.signal;
  const entryOpts = { ...(opts.uid !== undefined ? { uid: opts.uid } : {}), ...(opts.gid !== undefined ? { gid: opts.gid } : {}), ...(epoch ? { clampMtime: epoch } : {}) };
  return changeImage(ctx, fromScratch ? undefined : base, opts, async (src, scratch) => {
    const built: BuiltLayer[] = [];
    for (const input of opts.layers) built.push(await writeLayer(layerTar(input, entryOpts, signal), scratch, opts.compress ?? 'gzip', signal));
    const from = fromScratch ? scratchImage(src, opts.platform ?? ctx.platform, opts.manifestFormat) : src;
    // a new image records the base it was appended onto; one written back to its own name keeps the base it had
    const baseAnn = fromScratch || !opts.to || sameLocation(opts.to, base) ? undefined : await baseRecord(base, src);
    return editImage(from, async (parts, out) => {
      const added = built.map((b) => newLayer(parts, b, out, opts.manifestFormat));
      const entries = built.map((_, i) => historyEntry(opts.createdBy?.[i] ?? describeInput(opts.layers[i]!, epoch !== undefined), created));
      const next = setLayers(parts, [...layersOf(parts.doc, parts.config, base), ...added], [...rootfsOf(parts.config).history, ...entries]);
      const manifest = baseAnn ? withBaseAnnotations(next.manifest, baseAnn, opts.manifestFormat) : next.manifest;
      return { manifest, config: { ...next.config, created: rfc3339(created) } };
    }, fromScratch || !opts.platform ? {} : { platform: opts.platform });
  });
}

/** A layer's history `created_by`: its input; a reproducible build names no host path (the tar's or directory's). */
function describeInput(input: LayerInput, reproducible: boolean): string {
  if ('tar' in input) return `regctl append -f ${reproducible ? '<layer tar>' : input.tar}`;
  const dest = input.dest ? posix.normalize(`/${input.dest}`) : '/';
  return reproducible ? `regctl append --dir <directory>:${dest}` : `regctl append --dir ${input.dir}${input.dest ? `:${input.dest}` : ''}`;
}

/** An empty image (no layers) of `platform`, OCI unless Docker's format is asked for. */
function scratchImage(nothing: SourceTarget, platform: Platform, format?: 'oci' | 'docker'): EditedSource {
  const out = new EditedSource(nothing);
  const [manifestType, configType] = format === 'docker' ? [DOCKER_MANIFEST_V2, DOCKER_CONFIG] : [OCI_MANIFEST, OCI_CONFIG];
  const config = { architecture: platform.architecture, os: platform.os, ...(platform.variant ? { variant: platform.variant } : {}), config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
  const configDesc = out.addBlob(configType, Buffer.from(JSON.stringify(config)));
  out.setTop(out.addManifest(manifestType, { schemaVersion: 2, mediaType: manifestType, config: configDesc, layers: [] }));
  return out;
}

import { readSmallBlob, resolveImage } from '../content/resolve.js';
import type { SourceTarget } from '../content/target.js';
import { BaseMismatchError, NotFoundError, UsageError } from '../errors.js';
import { parseConfig, rootfsOf } from '../image/config-edit.js';
import { editImage } from '../image/edit-image.js';
import { layersOf, setLayers, type LayerRef } from '../image/set-layers.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import { withBaseAnnotations } from '../oci/base-annotations.js';
import { baseRecord } from './base-record.js';
import { changeImage, type ChangeOptions, type ChangeResult } from './change-image.js';
import type { OpsContext } from './context.js';
import { sideContext } from './credentials.js';
import { locationRegistries, parseLocation } from './transports/index.js';

export interface RebaseOptions extends ChangeOptions {
  /** The base the image was built on (any location). */
  oldBase: string;
  /** The base to put under it instead. */
  newBase: string;
}

interface Base {
  layers: LayerRef[];
  history: unknown[];
}

/**
 * Replaces the base layers of an image (crane rebase): when its first layers are the old base's (per platform, by
 * digest), they become the new base's, with the new base's diff_ids and history; the image's own layers, history
 * and config stay. BaseMismatchError naming the first layer that differs otherwise.
 */
export async function rebase(ctx: OpsContext, image: string, opts: RebaseOptions): Promise<ChangeResult> {
  for (const name of ['oldBase', 'newBase'] as const) {
    if (!opts[name]) throw new UsageError(`option ${name} is required: the base ${name === 'oldBase' ? 'the image was built on' : 'to put under it'}`, { option: name });
  }
  const bases = await sideContext(ctx, [opts.oldBase, opts.newBase].flatMap(locationRegistries), opts.sourceCredentials);
  const oldSrc = await parseLocation(opts.oldBase).openSource(bases);
  const newSrc = await parseLocation(opts.newBase).openSource(bases).catch(async (err: unknown) => {
    await oldSrc.close();
    throw err;
  });
  try {
    const base = await baseRecord(opts.newBase, newSrc.target);
    return await changeImage(ctx, image, opts, (src) => editImage(src, async (parts, out) => {
      const platform = parts.platform ?? ctx.platform;
      const [oldBase, newBase] = [await baseOf(oldSrc.target, platform), await baseOf(newSrc.target, platform)];
      const layers = layersOf(parts.doc, parts.config, image);
      oldBase.layers.forEach((l, i) => {
        const have = layers[i]?.desc.digest;
        if (have !== l.desc.digest) {
          throw new BaseMismatchError(`${image} (${formatPlatform(platform)}) is not built on ${opts.oldBase}: its layer ${i + 1} is ${have ?? 'missing'}, the old base's is ${l.desc.digest}`);
        }
      });
      for (const l of newBase.layers) out.addFrom(l.desc.digest, newSrc.target);
      const own = layers.slice(oldBase.layers.length);
      const next = setLayers(parts, [...newBase.layers, ...own], [...newBase.history, ...rootfsOf(parts.config).history.slice(oldBase.history.length)]);
      return { ...next, manifest: withBaseAnnotations(next.manifest, base, opts.manifestFormat) };
    }, opts.platform ? { platform: opts.platform } : {}));
  } finally {
    await oldSrc.close();
    await newSrc.close();
  }
}

/** A base image's layers (with diff_ids) and history for `platform` (picked out of an index). */
async function baseOf(src: SourceTarget, platform: Platform): Promise<Base> {
  const { doc } = await resolveImage(src, { platform });
  if (doc.kind !== 'image') throw new NotFoundError(`${src.description} holds no image for ${formatPlatform(platform)}`, { code: 'ERR_PLATFORM_NOT_FOUND' });
  const config = parseConfig(await readSmallBlob(src, doc.config), src.description);
  return { layers: layersOf(doc, config, src.description), history: rootfsOf(config).history };
}

import { applyConfigChanges, isObject, type ConfigChanges } from '../image/config-edit.js';
import { editImage } from '../image/edit-image.js';
import { changeImage, type ChangeOptions, type ChangeResult } from './change-image.js';
import type { OpsContext } from './context.js';

export type { ConfigChanges } from '../image/config-edit.js';

export interface MutateOptions extends ChangeOptions {
  /** Config changes: labels, env, entrypoint, cmd, user, workdir, ports, stop signal, created. */
  config?: ConfigChanges;
  /** Annotations set on each changed manifest, and on the index when the image is one. */
  annotations?: Record<string, string>;
}

/**
 * Changes an image's config and manifest annotations (crane mutate, regclient image mod) and writes the result
 * to `opts.to` or back to the image's name; an index is changed per platform and written as a new index.
 */
export function mutate(ctx: OpsContext, image: string, opts: MutateOptions): Promise<ChangeResult> {
  const annotations = opts.annotations && Object.keys(opts.annotations).length ? opts.annotations : undefined;
  return changeImage(ctx, image, opts, (src) => editImage(src, async ({ manifest, config }) => ({
    manifest: annotations ? { ...manifest, annotations: { ...(isObject(manifest.annotations) ? manifest.annotations : {}), ...annotations } } : manifest,
    config: opts.config ? applyConfigChanges(config, opts.config) : config,
  }), { ...(opts.platform ? { platform: opts.platform } : {}), ...(annotations ? { indexAnnotations: annotations } : {}) }));
}

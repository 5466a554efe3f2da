import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { resolveImage } from '../content/resolve.js';
import { NotFoundError } from '../errors.js';
import { mergeLayers } from '../image/merge-layers.js';
import type { Platform } from '../oci/platform.js';
import { checkOutputFile } from '../util/output-file.js';
import type { OpsContext } from './context.js';
import { scratchDir } from './scratch.js';
import { parseLocation } from './transports/index.js';

export interface ExportOptions {
  /** The platform taken out of an index; default the host's. */
  platform?: Platform;
}

/** Where the filesystem tar goes: a file (written to a temp name and renamed) or a stream (stdout). */
export type ExportOutput = { path: string } | { stream: Writable };

/**
 * Writes the filesystem an image's layers make as one tar (crane export): whiteouts and opaque directories
 * applied, hard links kept, streamed. An index gives the platform asked for, else the host's.
 */
export async function exportImage(ctx: OpsContext, image: string, output: ExportOutput, opts: ExportOptions = {}): Promise<void> {
  if ('path' in output) await checkOutputFile(output.path);
  const src = await parseLocation(image).openSource(ctx);
  const scratch = await scratchDir(ctx);
  try {
    const { doc } = await resolveImage(src.target, { platform: opts.platform ?? ctx.platform, strict: opts.platform !== undefined });
    if (doc.kind !== 'image') throw new NotFoundError(`${image} holds no image to export`);
    const tar = await mergeLayers(src.target, doc.layers, scratch);
    if ('stream' in output) {
      await pipeline(tar, output.stream, { end: false });
      return;
    }
    const temp = `${output.path}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await pipeline(tar, createWriteStream(temp));
      await rename(temp, output.path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await src.close();
  }
}

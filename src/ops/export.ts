import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { resolveImage } from '../content/resolve.js';
import { ExitCode, NotFoundError, RegctlError } from '../errors.js';
import type { ImageManifest } from '../oci/manifest.js';
import { baseMediaType, DOCKER_CONFIG, OCI_CONFIG } from '../oci/media-types.js';
import { mergeLayers } from '../image/merge-layers.js';
import type { Platform } from '../oci/platform.js';
import { abortable, stopped } from '../util/abort.js';
import { onInterrupt } from '../util/interrupt.js';
import { checkOutputFile } from '../util/output-file.js';
import type { OpsContext } from './context.js';
import type { WithCredentials } from './credentials.js';
import { withScratch } from './scratch.js';
import { withSource } from './transports/index.js';

export interface ExportOptions extends WithCredentials {
  /** The platform taken out of an index; default the host's. */
  platform?: Platform;
}

/** Where the filesystem tar goes: a file (written to a temp name and renamed) or a stream (stdout). */
export type ExportOutput = { path: string } | { stream: Writable };

/**
 * Writes the filesystem an image's layers make as one tar (crane export): whiteouts and opaque directories
 * applied, hard links kept, streamed. An index gives the platform asked for, else the host's. The context's signal
 * stops every stage at once: a file output is then not there at all (it is written under a temp name, renamed when
 * complete), and no temp file is left.
 */
export async function exportImage(ctx: OpsContext, image: string, output: ExportOutput, opts: ExportOptions = {}): Promise<void> {
  if ('path' in output) await checkOutputFile(output.path);
  const signal = ctx.transport.signal;
  await withSource(ctx, image, ({ target }) =>
    withScratch(ctx, async (scratch) => {
      const { doc } = await resolveImage(target, { platform: opts.platform ?? ctx.platform, strict: opts.platform !== undefined });
      if (doc.kind !== 'image') throw new NotFoundError(`${image} holds no image to export`);
      notAnArtifact(image, doc);
      await writeTar(await mergeLayers(target, doc.layers, scratch, signal), output, signal);
    }), opts.credentials,
  );
}

/**
 * Refuses an OCI artifact (oras push, attach, Helm charts): its config is not an image config, so its layers are
 * files, not filesystem tars, and merging them would only fail on the first non-tar byte.
 */
function notAnArtifact(image: string, doc: ImageManifest): void {
  const config = baseMediaType(doc.config.mediaType);
  if (config === OCI_CONFIG || config === DOCKER_CONFIG) return;
  const type = doc.artifactType ?? doc.config.mediaType;
  throw new RegctlError('ERR_NOT_AN_IMAGE', `${image} is an artifact (${type}), not an image: it has no filesystem to export`, ExitCode.failure, {
    hint: `\`regctl artifact pull ${image} -o DIR\` fetches its files`,
  });
}

/**
 * Streams the tar to the output: into a file through a temp name (removed when anything fails or the signal aborts;
 * renamed only when complete), or into a stream left open.
 */
async function writeTar(tar: Readable, output: ExportOutput, signal: AbortSignal | undefined): Promise<void> {
  const source = abortable(tar, signal);
  if ('stream' in output) return pipeline(source, output.stream, { end: false }).catch((err: unknown) => Promise.reject(stopped(err, signal)));
  const temp = `${output.path}.tmp-${randomBytes(6).toString('hex')}`;
  const forget = onInterrupt(() => rmSync(temp, { force: true }));
  try {
    await pipeline(source, createWriteStream(temp));
    signal?.throwIfAborted();
    await rename(temp, output.path);
  } catch (err) {
    await rm(temp, { force: true });
    throw stopped(err, signal);
  } finally {
    forget();
  }
}

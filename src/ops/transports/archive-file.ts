import { rm } from 'node:fs/promises';
import { archiveLimits } from '../../archive/extract.js';
import { openArchive, type ArchiveImage, type ArchiveInput, type OpenedArchive } from '../../archive/reader.js';
import type { OpsContext } from '../context.js';
import { scratchDir } from '../scratch.js';
import type { OpenedSource } from './transport.js';

/**
 * One image of a tarball (a file, or a stream such as the Docker daemon's save) as a copy source: the archive is
 * unpacked into a scratch directory and checked whole, `pick` chooses the image, and closing the source removes the
 * scratch files.
 */
export async function openArchiveFile(ctx: OpsContext, input: ArchiveInput, description: string, pick: (archive: OpenedArchive) => ArchiveImage): Promise<OpenedSource> {
  const tmp = await scratchDir(ctx);
  try {
    const archive = await openArchive(input, tmp, archiveLimits(ctx.env), description);
    const image = pick(archive);
    return {
      target: image.source,
      ...(image.name ? { name: image.name } : {}),
      close: async () => {
        await archive.close();
        await rm(tmp, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

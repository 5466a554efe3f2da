import { rm } from 'node:fs/promises';
import { archiveLimits } from '../../archive/extract.js';
import { openArchive, type ArchiveImage, type OpenedArchive } from '../../archive/reader.js';
import type { OpsContext } from '../context.js';
import { scratchDir } from '../scratch.js';
import type { OpenedSource } from './transport.js';

/**
 * One image of a tarball as a copy source: the archive is unpacked into a scratch directory and checked whole,
 * `pick` chooses the image, and closing the source removes the scratch files.
 */
export async function openArchiveFile(ctx: OpsContext, file: string, description: string, pick: (archive: OpenedArchive) => ArchiveImage): Promise<OpenedSource> {
  const tmp = await scratchDir(ctx);
  try {
    const archive = await openArchive({ path: file }, tmp, archiveLimits(ctx.env), description);
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

import type { ArchiveImage, ArchiveInput, OpenedArchive } from '../../archive/reader.js';
import type { ArchiveWriter } from '../../archive/writer.js';
import type { OpsContext } from '../context.js';
import { openScratch } from '../scratch.js';
import type { OpenedSource } from './location-transport.js';

/**
 * One image of a tarball (a file, or a stream such as the Docker daemon's save) as a copy source: the archive is
 * unpacked into a scratch directory and checked whole, `pick` chooses the image, and closing the source removes the
 * scratch files.
 */
export async function openArchiveFile(ctx: OpsContext, input: ArchiveInput, description: string, pick: (archive: OpenedArchive) => ArchiveImage): Promise<OpenedSource> {
  // Loaded on use (tar-stream, zlib): a command naming a registry image never pays for the archive code.
  const [{ archiveLimits }, { openArchive }] = await Promise.all([import('../../archive/extract.js'), import('../../archive/reader.js')]);
  const scratch = await openScratch(ctx);
  try {
    const archive = await openArchive(input, scratch.dir, { limits: archiveLimits(ctx.env), name: description, signal: ctx.transport.signal });
    const image = pick(archive);
    return {
      target: image.source,
      ...(image.name ? { name: image.name } : {}),
      close: async () => {
        await archive.close();
        await scratch.remove();
      },
    };
  } catch (err) {
    await scratch.remove();
    throw err;
  }
}

/** A tarball writer (loaded on use, like the reader). */
export async function archiveWriter(...args: ConstructorParameters<typeof ArchiveWriter>): Promise<ArchiveWriter> {
  const { ArchiveWriter: Writer } = await import('../../archive/writer.js');
  return new Writer(...args);
}

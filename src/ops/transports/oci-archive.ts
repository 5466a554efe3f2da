import type { OpenedArchive } from '../../archive/reader.js';
import { NotFoundError } from '../../errors.js';
import { archiveWriter, openArchiveFile } from './archive-file.js';
import { splitPathAndRef, warnOnDockerFormat } from './oci.js';
import { noop, type ImageLocation, type LocationTransport } from './location-transport.js';

/**
 * `oci-archive:FILE[:REF]`: a tar of an OCI image layout (skopeo's transport), REF the entry's
 * `org.opencontainers.image.ref.name`. Read: the archive is extracted and checked whole, then REF (or its only
 * image) is the source. Write: a new tar holding the one image, its index whole, named REF when given.
 */
export const ociArchiveTransport: LocationTransport = {
  name: 'oci-archive',
  usage: 'oci-archive:FILE[:REF]',
  parse(rest, whole): ImageLocation {
    const { path: file, ref } = splitPathAndRef(rest, whole, ociArchiveTransport.usage);
    return {
      transport: ociArchiveTransport,
      text: whole,
      openSource: (ctx) => openArchiveFile(ctx, { path: file }, `oci-archive:${file}`, (archive) => pick(archive, ref)),
      async openDestination(_ctx, opts) {
        const writer = await archiveWriter({ path: file }, { format: 'oci' });
        return { target: warnOnDockerFormat(writer, opts.warn), ...(ref ? { name: ref } : {}), close: noop };
      },
    };
  },
};

/** The image whose ref name is `ref`; without one, the archive's only image. */
function pick(archive: OpenedArchive, ref: string | undefined) {
  if (ref === undefined) return archive.find();
  const hit = archive.images.find((i) => i.refName === ref);
  if (hit) return hit;
  const names = archive.images.map((i) => i.refName ?? '(unnamed)').join(', ');
  if (archive.images.length === 0) throw new NotFoundError(`${archive.description} holds no images`, { code: 'ERR_IMAGE_NOT_FOUND' });
  throw new NotFoundError(`"${ref}" is not in ${archive.description}`, { code: 'ERR_IMAGE_NOT_FOUND', hint: `it holds: ${names}` });
}



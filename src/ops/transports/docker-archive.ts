import { UsageError } from '../../errors.js';
import { parseReference } from '../../ref/parse.js';
import { archiveWriter, openArchiveFile } from './archive-file.js';
import { noop, type ImageLocation, type LocationTransport } from './location-transport.js';

/** `docker-archive:FILE[:NAME]`: a tarball as `docker save` writes it (NAME carries its own `:tag`). */
export const dockerArchiveTransport: LocationTransport = {
  name: 'docker-archive',
  usage: 'docker-archive:FILE[:NAME]',
  parse(rest, whole): ImageLocation {
    const at = rest.indexOf(':');
    const [file, name] = at >= 0 ? [rest.slice(0, at), rest.slice(at + 1)] : [rest, undefined];
    if (!file) throw new UsageError(`invalid target "${whole}": want ${dockerArchiveTransport.usage}`);
    return {
      transport: dockerArchiveTransport,
      text: whole,
      singlePlatform: true,
      openSource: (ctx) => openArchiveFile(ctx, { path: file }, `docker-archive:${file}`, (archive) => archive.find(name || undefined)),
      async openDestination(ctx, opts) {
        const named = name || opts.sourceName;
        const writer = await archiveWriter({ path: file }, { platform: ctx.platform });
        return { target: writer, ...(named ? { name: parseReference(named).name } : {}), close: noop };
      },
    };
  },
};

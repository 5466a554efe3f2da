import { rm } from 'node:fs/promises';
import { openArchive } from '../../archive/reader.js';
import { ArchiveWriter } from '../../archive/writer.js';
import { UsageError } from '../../errors.js';
import { parseReference } from '../../ref/parse.js';
import { scratchDir } from '../scratch.js';
import { noop, type ImageLocation, type Transport } from './transport.js';

/** `docker-archive:FILE[:NAME]`: a tarball as `docker save` writes it (NAME carries its own `:tag`). */
export const dockerArchiveTransport: Transport = {
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
      async openSource(ctx) {
        const tmp = await scratchDir(ctx);
        try {
          const archive = await openArchive({ path: file }, tmp);
          const image = archive.find(name || undefined);
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
      },
      async openDestination(_ctx, opts) {
        const named = name || opts.sourceName;
        const writer = new ArchiveWriter({ path: file }, { platform: opts.platform });
        return { target: writer, ...(named ? { tag: parseReference(named).name } : {}), close: noop };
      },
    };
  },
};

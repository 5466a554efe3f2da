import { UsageError } from '../../errors.js';
import { parseReference } from '../../ref/parse.js';
import { givenSelector, isDigestOnly } from '../../ref/selector.js';
import { openStore } from '../open-store.js';
import { noop, type ImageLocation, type LocationTransport } from './location-transport.js';

/**
 * `local:IMAGE`: an image of regctl's local store (what pull, load and tag write and `regctl images` lists), by
 * its name like docker's (`local:alpine` is `docker.io/library/alpine:latest`); skopeo's `containers-storage:`.
 */
export const localTransport: LocationTransport = {
  name: 'local',
  usage: 'local:IMAGE',
  parse(rest, whole): ImageLocation {
    if (!rest) throw new UsageError(`invalid target "${whole}": want ${localTransport.usage}`);
    const ref = parseReference(rest);
    return {
      transport: localTransport,
      text: whole,
      ...(isDigestOnly(ref) ? { digestOnly: true } : {}),
      ...(ref.digest ? { expectDigest: ref.digest } : {}),
      async openSource(ctx) {
        const store = await openStore(ctx);
        return { target: store.source(ref.name), name: ref.name, close: noop };
      },
      async openDestination(ctx, opts) {
        // The store keeps every image by name; a digest-only source gets none invented (not even `latest`).
        if (givenSelector(ref) === undefined && opts.sourceDigestOnly) {
          throw new UsageError(`the source names a digest and no tag: name it ${whole}:TAG`, { hint: 'a copy by digest does not move `latest`' });
        }
        const store = await openStore(ctx);
        return { target: store.destination(`${ref.familiar} (local store)`), name: store.nameOf(ref.name), close: noop };
      },
    };
  },
};

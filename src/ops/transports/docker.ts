import { parseReference } from '../../ref/parse.js';
import { isDigestOnly, destinationTag } from '../../ref/selector.js';
import { registryDestination, registrySource } from '../registry-target.js';
import { noop, type ImageLocation, type LocationTransport } from './location-transport.js';

/** `docker://REF` or a plain image reference: a registry repository. */
export const dockerTransport: LocationTransport = {
  name: 'docker',
  usage: 'docker://REF (or REF)',
  parse(rest, whole): ImageLocation {
    const ref = parseReference(rest.replace(/^\/\//, ''));
    return {
      transport: dockerTransport,
      text: whole,
      ...(isDigestOnly(ref) ? { digestOnly: true } : {}),
      ...(ref.digest ? { expectDigest: ref.digest } : {}),
      async openSource(ctx) {
        return { target: await registrySource(ctx, ref), name: ref.name, close: noop };
      },
      async openDestination(ctx, opts) {
        const target = await registryDestination(ctx, ref);
        const tag = destinationTag(ref, opts.sourceDigestOnly ?? false);
        return { target, ...(tag ? { name: tag } : {}), close: noop };
      },
    };
  },
};

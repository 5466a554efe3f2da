import { parseReference } from '../../ref/parse.js';
import { registryDestination, registrySource, registryTag } from '../registry-target.js';
import { noop, type ImageLocation, type Transport } from './transport.js';

/** `docker://REF` or a plain image reference: a registry repository. */
export const dockerTransport: Transport = {
  name: 'docker',
  usage: 'docker://REF (or REF)',
  parse(rest, whole): ImageLocation {
    const ref = parseReference(rest.replace(/^\/\//, ''));
    return {
      transport: dockerTransport,
      text: whole,
      ...(ref.digest && !ref.tag ? { digestOnly: true } : {}),
      ...(ref.digest ? { expectDigest: ref.digest } : {}),
      async openSource(ctx) {
        return { target: await registrySource(ctx, ref), name: ref.name, close: noop };
      },
      async openDestination(ctx, opts) {
        const target = await registryDestination(ctx, ref);
        const tag = registryTag(ref, opts.sourceDigestOnly);
        return { target, ...(tag ? { tag } : {}), close: noop };
      },
    };
  },
};

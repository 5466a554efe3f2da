import { parseReference } from '../../ref/parse.js';
import { registryDestination, registrySource } from '../registry-target.js';
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
        // Like crane: a copy of SRC@digest into a name without a tag writes by digest, never moving `latest`.
        const tag = ref.tag ?? (ref.digest || opts.sourceDigestOnly ? undefined : 'latest');
        return { target, ...(tag ? { tag } : {}), close: noop };
      },
    };
  },
};

import { rm, stat } from 'node:fs/promises';
import { UsageError } from '../../errors.js';
import { isRefName } from '../../oci/layout-format.js';
import { DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_V2, baseMediaType } from '../../oci/media-types.js';
import type { DestinationTarget } from '../../content/target.js';
import type { Warning } from '../context.js';
import { destinationTag } from '../../ref/selector.js';
import { OciLayout } from '../../store/layout.js';
import { layoutDestination, layoutSource } from '../../store/layout-target.js';
import { noop, type ImageLocation, type LocationTransport } from './location-transport.js';

/**
 * `oci:DIR[:REF]`: an OCI image layout directory, REF its `org.opencontainers.image.ref.name`. Split at the first
 * colon as skopeo does (containers/image's SplitPathAndImage: `oci:DIR:a/b` is DIR and `a/b`; DIR has no colon).
 */
export const ociTransport: LocationTransport = {
  name: 'oci',
  usage: 'oci:DIR[:REF]',
  parse(rest, whole): ImageLocation {
    const { path: dir, ref: tag } = splitPathAndRef(rest, whole, ociTransport.usage);
    const describe = (name?: string) => `oci:${dir}${name ? `:${name}` : ''}`;
    return {
      transport: ociTransport,
      text: whole,
      async openSource() {
        const layout = await OciLayout.open(dir, { create: false });
        return { target: layoutSource(layout, tag, describe), close: noop };
      },
      async openDestination(_ctx, opts) {
        const existed = await stat(dir).then(() => true, () => false);
        const layout = await OciLayout.open(dir, { create: true });
        // The ref name given; without one `latest` (as skopeo), or none for a source by digest only.
        const name = destinationTag(tag === undefined ? {} : { tag }, opts.sourceDigestOnly ?? false);
        const target = warnOnDockerFormat(layoutDestination(layout, describe(name), { plain: true }), opts.warn);
        // A failed copy into a directory it created leaves nothing behind.
        const abort = async () => (existed ? undefined : rm(dir, { recursive: true, force: true }));
        return { target, ...(name ? { name } : {}), abort, close: noop };
      },
    };
  },
};

/** `PATH[:REF]` split at the first colon; REF must match the OCI ref.name grammar (UsageError otherwise). */
export function splitPathAndRef(rest: string, whole: string, usage: string): { path: string; ref?: string } {
  const at = rest.indexOf(':');
  const path = at >= 0 ? rest.slice(0, at) : rest;
  const ref = at >= 0 ? rest.slice(at + 1) : '';
  if (!path) throw new UsageError(`invalid target "${whole}": want ${usage}`);
  if (ref !== '' && !isRefName(ref)) {
    throw new UsageError(`invalid reference "${ref}" in "${whole}": an OCI layout's names follow the ref.name grammar`, {
      hint: 'letters and digits, separated by one of - . _ : @ + or --, in components joined by /',
    });
  }
  return ref === '' ? { path } : { path, ref };
}

/**
 * Warns once when a Docker-format manifest is written into an OCI layout: the bytes are kept (digests survive), but
 * umoci and skopeo do not address a Docker manifest in a layout by its tag. Copy's `manifestFormat: 'oci'` converts instead.
 */
export function warnOnDockerFormat(target: DestinationTarget, warn: ((warning: Warning) => void) | undefined): DestinationTarget {
  if (!warn) return target;
  let warned = false;
  const push = target.pushManifest.bind(target);
  target.pushManifest = async (...args: Parameters<DestinationTarget['pushManifest']>) => {
    const type = baseMediaType(args[0].mediaType);
    if (!warned && (type === DOCKER_MANIFEST_V2 || type === DOCKER_MANIFEST_LIST)) {
      warned = true;
      warn({
        code: 'DOCKER_FORMAT_KEPT',
        message: `${target.description}: writing a Docker-format manifest into an OCI layout as is; umoci and skopeo will not address it by tag (option manifestFormat 'oci' converts it)`,
      });
    }
    return push(...args);
  };
  return target;
}

import { UsageError } from '../../errors.js';
import { OciLayout } from '../../store/layout.js';
import { layoutDestination, layoutSource } from '../../store/layout-target.js';
import { noop, type ImageLocation, type Transport } from './transport.js';

/** `oci:DIR[:TAG]`: an OCI image layout directory, the tag its `org.opencontainers.image.ref.name`. */
export const ociTransport: Transport = {
  name: 'oci',
  usage: 'oci:DIR[:TAG]',
  parse(rest, whole): ImageLocation {
    const at = rest.lastIndexOf(':');
    const [dir, tag] = at > 0 && !rest.slice(at + 1).includes('/') ? [rest.slice(0, at), rest.slice(at + 1)] : [rest, undefined];
    if (!dir) throw new UsageError(`invalid target "${whole}": want ${ociTransport.usage}`);
    if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) throw new UsageError(`invalid tag "${tag}" in "${whole}"`);
    const describe = (name?: string) => `oci:${dir}${name ? `:${name}` : ''}`;
    return {
      transport: ociTransport,
      text: whole,
      async openSource() {
        const layout = await OciLayout.open(dir, { create: false });
        return { target: layoutSource(layout, tag || undefined, describe), close: noop };
      },
      async openDestination() {
        const layout = await OciLayout.open(dir, { create: true });
        const as = tag || 'latest';
        return { target: layoutDestination(layout, as, describe(as)), tag: as, close: noop };
      },
    };
  },
};

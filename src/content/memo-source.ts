import type { Descriptor } from '../oci/manifest.js';
import type { SourceTarget } from './target.js';

/**
 * The source with what it resolves and every manifest it serves remembered, so a caller that plans a copy first (to
 * announce the whole transfer before anything moves) and then copies reads each manifest from the source once.
 */
export function memoSource(src: SourceTarget): SourceTarget {
  let resolved: Promise<Descriptor> | undefined;
  const manifests = new Map<string, Promise<Buffer>>();
  const resolve = () => (resolved ??= src.resolve());
  const fetchManifest = (desc: Descriptor) => {
    let bytes = manifests.get(desc.digest);
    if (!bytes) {
      bytes = src.fetchManifest(desc);
      bytes.catch(() => manifests.delete(desc.digest));
      manifests.set(desc.digest, bytes);
    }
    return bytes;
  };
  return new Proxy(src, {
    get(target, prop) {
      if (prop === 'resolve') return resolve;
      if (prop === 'fetchManifest') return fetchManifest;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

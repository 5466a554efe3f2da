import { UsageError } from '../errors.js';
import type { Reference } from '../ref/reference.js';
import { registryReference } from './registry-target.js';

/** Where `copy` reads or writes, from skopeo-style transport prefixes. */
export type TargetSpec =
  | { kind: 'registry'; ref: Reference }
  | { kind: 'oci'; dir: string; tag?: string }
  | { kind: 'docker-archive'; file: string; name?: string };

/**
 * `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME]`, `docker://REF` or a plain image reference. For `oci:` the tag is
 * what follows the last colon when it holds no slash; for `docker-archive:` the name is everything after the
 * first colon (names carry their own `:tag`).
 */
export function parseTargetSpec(spec: string): TargetSpec {
  if (spec.startsWith('oci:')) {
    const rest = spec.slice(4);
    const at = rest.lastIndexOf(':');
    const [dir, tag] = at > 0 && !rest.slice(at + 1).includes('/') ? [rest.slice(0, at), rest.slice(at + 1)] : [rest, undefined];
    if (!dir) throw new UsageError(`invalid target "${spec}": want oci:DIR[:TAG]`);
    if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) throw new UsageError(`invalid tag "${tag}" in "${spec}"`);
    return { kind: 'oci', dir, ...(tag ? { tag } : {}) };
  }
  if (spec.startsWith('docker-archive:')) {
    const rest = spec.slice('docker-archive:'.length);
    const at = rest.indexOf(':');
    const [file, name] = at >= 0 ? [rest.slice(0, at), rest.slice(at + 1)] : [rest, undefined];
    if (!file) throw new UsageError(`invalid target "${spec}": want docker-archive:FILE[:NAME]`);
    return { kind: 'docker-archive', file, ...(name ? { name } : {}) };
  }
  return { kind: 'registry', ref: registryReference(spec) };
}

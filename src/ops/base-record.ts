import type { SourceTarget } from '../content/target.js';
import { baseAnnotations } from '../oci/base-annotations.js';
import { formatReference, parseReference } from '../ref/parse.js';
import { impliedTag } from '../ref/selector.js';
import { dockerTransport } from './transports/docker.js';
import { parseLocation } from './transports/index.js';

/**
 * The base annotations for an image built on `base` (a location) whose source is `src`: its digest (what `base`
 * resolves to now: an index's digest for an index, as the image spec asks) and, for a registry tag, its fully
 * qualified name. A local path or a digest-only reference gives the digest only.
 */
export async function baseRecord(base: string, src: SourceTarget): Promise<Record<string, string>> {
  const { digest } = await src.resolve();
  return baseAnnotations(digest, registryTagName(base));
}

/** `registry/repository:tag` of a registry location naming a tag (`:latest` when it names none); else undefined. */
export function registryTagName(location: string): string | undefined {
  const loc = parseLocation(location);
  if (loc.transport !== dockerTransport) return undefined;
  const ref = parseReference(location.replace(/^docker:\/\//, ''));
  const tag = impliedTag(ref);
  return tag === undefined ? undefined : formatReference({ registry: ref.registry, repository: ref.repository, tag });
}

/** Do two locations name the same image (registry references compared normalized)? */
export function sameLocation(a: string, b: string): boolean {
  if (a === b) return true;
  const [x, y] = [registryTagName(a), registryTagName(b)];
  return x !== undefined && x === y;
}

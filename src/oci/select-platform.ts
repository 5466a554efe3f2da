import { NotFoundError } from '../errors.js';
import type { Descriptor, ImageIndex } from './manifest.js';
import { formatPlatform, platformMatches, type Platform } from './platform.js';

/** The first manifest of an index whose platform matches; attestation entries (unknown/unknown) never match. */
export function selectPlatform(index: ImageIndex, want: Platform, name: string): Descriptor {
  const found = index.manifests.find((d) => d.platform && platformMatches(want, d.platform));
  if (found) return found;
  const have = index.manifests
    .filter((d) => d.platform && d.platform.os !== 'unknown')
    .map((d) => formatPlatform(d.platform!));
  throw new NotFoundError(`no manifest for platform ${formatPlatform(want)} in ${name}`, {
    code: 'ERR_PLATFORM_NOT_FOUND',
    hint: have.length ? `available platforms: ${have.join(', ')}` : 'the index lists no platforms',
  });
}

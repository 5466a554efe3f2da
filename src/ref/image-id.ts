import { InvalidReferenceError } from '../errors.js';
import { digestAlgorithm, isSupportedDigest } from './digest-algorithms.js';
import { DEFAULT_REGISTRY, parseReference } from './parse.js';
import type { Reference } from './reference.js';

/**
 * docker's `NAME|ID` argument as skopeo's `docker-daemon:` reads it (containers/image daemon.ParseReference): a full
 * image ID (`sha256:<64 hex>`, docker's own algorithm only) or an image reference. `sha256:<anything else>` reads as
 * the repository `sha256`, which docker reserves for IDs: refused (an ID cut short, most likely).
 */
export function parseImageOrId(input: string): { id: string } | { ref: Reference } {
  if (digestAlgorithm(input) === 'sha256' && isSupportedDigest(input)) return { id: input };
  const ref = parseReference(input);
  if (ref.registry === DEFAULT_REGISTRY && ref.repository === 'library/sha256') {
    throw new InvalidReferenceError('ERR_REF_IMAGE_ID', `invalid image ID "${input}": an ID is sha256: and 64 hex digits`, {
      hint: 'the repository name sha256 is reserved for image IDs; `docker images --no-trunc` shows whole ones',
    });
  }
  return { ref };
}

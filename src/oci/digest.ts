import { createHash } from 'node:crypto';
import { IntegrityError } from '../errors.js';

/** `sha256:<hex>` of a buffer. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The digest of `data` computed with the algorithm of `expected` (sha256 or sha512), for comparison. */
export function digestLike(expected: string, data: Buffer): string {
  const algorithm = expected.slice(0, expected.indexOf(':'));
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return sha256Digest(data);
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/**
 * Checks bytes held in memory (a manifest, index or config) against their descriptor: the digest, and the size
 * when the descriptor gives one. IntegrityError naming `what` otherwise. The one check every path uses.
 */
export function verifyBytes(desc: { digest: string; size?: number }, bytes: Buffer, what: string): Buffer {
  const actual = digestLike(desc.digest, bytes);
  if (actual !== desc.digest) {
    throw new IntegrityError(`${what}: digest mismatch: expected ${desc.digest}, got ${actual}`, { code: 'ERR_DIGEST_MISMATCH' });
  }
  if (desc.size && bytes.length !== desc.size) {
    throw new IntegrityError(`${what}: size mismatch: expected ${desc.size} bytes, got ${bytes.length}`, { code: 'ERR_SIZE_MISMATCH' });
  }
  return bytes;
}

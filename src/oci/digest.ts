import { createHash } from 'node:crypto';
import { ExitCode, IntegrityError, RegctlError } from '../errors.js';
import { digestAlgorithm, SUPPORTED_ALGORITHMS, type DigestAlgorithm } from '../ref/digest-algorithms.js';

/** `sha256:<hex>` of a buffer. */
export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * The algorithm of a digest to be checked, one of the supported ones (ref/digest-algorithms.ts); anything else is a
 * usage error "unsupported digest algorithm" (exit 2), never a silent sha256.
 */
export function checkedAlgorithm(digest: string, what: string): DigestAlgorithm {
  const algorithm = digestAlgorithm(digest);
  if (!algorithm) {
    const message = `${what}: unsupported digest algorithm in ${JSON.stringify(digest.slice(0, 80))} (supported: ${SUPPORTED_ALGORITHMS})`;
    throw new RegctlError('ERR_DIGEST_ALGORITHM', message, ExitCode.usage);
  }
  return algorithm;
}

/** The digest of `data` computed with the algorithm of `expected`, for comparison. */
export function digestLike(expected: string, data: Buffer): string {
  const algorithm = checkedAlgorithm(expected, 'checking a digest');
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

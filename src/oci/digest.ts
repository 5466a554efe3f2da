import { createHash } from 'node:crypto';

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

/**
 * The digest algorithms regctl supports end to end — parsed in references, hashed by the verifiers, read and
 * written as `blobs/<algorithm>/<hex>` in OCI layouts: go-digest's registered ones. Anything else is refused as
 * an unsupported digest algorithm (exit 2) wherever a digest is read.
 */
export const DIGEST_ALGORITHMS = {
  sha256: { hexLength: 64 },
  sha384: { hexLength: 96 },
  sha512: { hexLength: 128 },
} as const;

export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS;

/** The algorithm of a digest (`sha384` of `sha384:…`) when it is one of the supported ones. */
export function digestAlgorithm(digest: string): DigestAlgorithm | undefined {
  const alg = digest.slice(0, Math.max(0, digest.indexOf(':')));
  return Object.hasOwn(DIGEST_ALGORITHMS, alg) ? (alg as DigestAlgorithm) : undefined;
}

/** Is `digest` a well-formed digest of a supported algorithm (`ALG:` and that many lowercase hex characters)? */
export function isSupportedDigest(digest: string): boolean {
  const alg = digestAlgorithm(digest);
  if (!alg) return false;
  const hex = digest.slice(alg.length + 1);
  return hex.length === DIGEST_ALGORITHMS[alg].hexLength && /^[0-9a-f]+$/.test(hex);
}

/** `sha256, sha384, sha512`, for messages. */
export const SUPPORTED_ALGORITHMS = Object.keys(DIGEST_ALGORITHMS).join(', ');

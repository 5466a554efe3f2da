import { IntegrityError } from '../errors.js';
import { digestLike } from '../oci/digest.js';
import { fetchDocument } from '../transport/read-body.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { pullScope } from '../transport/scope.js';

/** Reads a small blob (an image config) into memory, checked against its digest. */
export async function getBlobBytes(client: RegistryClient, repository: string, digest: string, max: number, what: string): Promise<Buffer> {
  const request = async () => {
    const res = await client.request({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, scopes: [pullScope(repository)], what });
    return client.expect(res, [200], 'GET', what);
  };
  const { bytes } = await fetchDocument(request, max, 'blob');
  const actual = digestLike(digest, bytes);
  if (actual !== digest) {
    throw new IntegrityError(`${what}: digest mismatch: expected ${digest}, got ${actual}`, { code: 'ERR_DIGEST_MISMATCH' });
  }
  return bytes;
}

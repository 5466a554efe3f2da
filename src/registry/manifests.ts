import { MAX_MANIFEST_BYTES } from '../util/limits.js';
import { IntegrityError } from '../errors.js';
import { digestLike, sha256Digest } from '../oci/digest.js';
import { MANIFEST_ACCEPT } from '../oci/media-types.js';
import { header, type HttpResponse } from '../transport/http.js';
import { fetchDocument } from '../transport/read-body.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { parseRateLimit, type RateLimit } from '../transport/ratelimit.js';
import { pullScope } from '../transport/scope.js';
import { apiPath } from './api-path.js';
import { parseJson } from '../oci/json.js';


export interface ManifestBytes {
  /** Exactly the bytes the registry served. */
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export interface ManifestHead {
  mediaType: string;
  size: number;
  /** Missing when the registry sends no Docker-Content-Digest. */
  digest?: string;
  /** Docker Hub's pull rate limit, when the response announces one. */
  rateLimit?: RateLimit;
}

const isDigest = (reference: string) => reference.includes(':');

async function manifestRequest(client: RegistryClient, method: 'GET' | 'HEAD', repository: string, reference: string, what: string): Promise<HttpResponse> {
  const res = await client.request({
    method,
    path: apiPath.manifest(repository, reference),
    headers: { accept: MANIFEST_ACCEPT.join(', ') },
    scopes: [pullScope(repository)],
    what,
  });
  return client.expect(res, [200], method, what);
}

/** GET a manifest or index by tag or digest; the bytes are checked against the digest asked for or announced. */
export async function getManifest(client: RegistryClient, repository: string, reference: string, what: string): Promise<ManifestBytes> {
  const { res, bytes } = await fetchDocument(() => manifestRequest(client, 'GET', repository, reference, what), MAX_MANIFEST_BYTES, 'manifest');
  const announced = header(res, 'docker-content-digest');
  const expected = isDigest(reference) ? reference : announced;
  if (expected && digestLike(expected, bytes) !== expected) {
    throw new IntegrityError(`${what}: manifest digest mismatch: expected ${expected}, got ${digestLike(expected, bytes)}`, { code: 'ERR_DIGEST_MISMATCH' });
  }
  const digest = expected && expected.startsWith('sha256:') ? expected : sha256Digest(bytes);
  return { bytes, mediaType: mediaTypeOf(header(res, 'content-type'), bytes), digest };
}

/** HEAD a manifest: digest, media type and size without downloading it (HEAD does not count against Hub limits). */
export async function headManifest(client: RegistryClient, repository: string, reference: string, what: string): Promise<ManifestHead> {
  const res = await manifestRequest(client, 'HEAD', repository, reference, what);
  await res.body.dump();
  const digest = header(res, 'docker-content-digest');
  const rateLimit = parseRateLimit(res);
  return {
    mediaType: (header(res, 'content-type') ?? '').split(';')[0]!.trim(),
    size: Number(header(res, 'content-length') ?? 0),
    ...(digest ? { digest } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  };
}

/** The media type from Content-Type, or from the document's own `mediaType` when the header is generic. */
function mediaTypeOf(contentType: string | undefined, bytes: Buffer): string {
  const ct = (contentType ?? '').split(';')[0]!.trim();
  if (ct && ct !== 'application/json' && ct !== 'text/plain' && ct !== 'application/octet-stream') return ct;
  try {
    const doc = parseJson(bytes, 'manifest') as { mediaType?: unknown };
    if (typeof doc.mediaType === 'string') return doc.mediaType;
  } catch {
    // not JSON (or nested too deep: parseManifest says so); keep the header
  }
  return ct;
}

import { MAX_MANIFEST_BYTES } from '../util/limits.js';
import { IntegrityError, NotFoundError, RegistryError } from '../errors.js';
import { digestLike, sha256Digest } from '../oci/digest.js';
import { MANIFEST_ACCEPT } from '../oci/media-types.js';
import { header, type HttpResponse } from '../transport/http.js';
import { fetchDocument } from '../transport/read-body.js';
import { responseError } from '../transport/response-error.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { parseRateLimit, type RateLimit } from '../transport/ratelimit.js';
import { deleteScope, pullScope, pushScope } from '../transport/scope.js';
import { digestAlgorithm } from '../ref/digest-algorithms.js';
import { isDigest } from '../ref/selector.js';
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
  const { res, bytes } = await fetchDocument(() => manifestRequest(client, 'GET', repository, reference, what), MAX_MANIFEST_BYTES, `${what}: manifest`);
  const announced = header(res, 'docker-content-digest');
  const expected = isDigest(reference) ? reference : announced;
  if (expected === announced && announced && !digestAlgorithm(announced)) {
    // The registry's answer, not the user's input: an integrity failure (exit 6), not a usage error.
    throw new IntegrityError(`${what}: the registry announced a digest of an unsupported algorithm: ${JSON.stringify(announced.slice(0, 80))}`, { code: 'ERR_DIGEST_MISMATCH' });
  }
  if (expected && digestLike(expected, bytes) !== expected) {
    throw new IntegrityError(`${what}: manifest digest mismatch: expected ${expected}, got ${digestLike(expected, bytes)}`, { code: 'ERR_DIGEST_MISMATCH' });
  }
  // Descriptors carry the canonical sha256 digest; one asked for by another algorithm was checked above.
  const digest = expected && digestAlgorithm(expected) === 'sha256' ? expected : sha256Digest(bytes);
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

/** HEAD with the digest made sure of: when the registry sends no Docker-Content-Digest, a GET hashes the manifest. */
export async function headManifestDigest(client: RegistryClient, repository: string, reference: string, what: string): Promise<ManifestHead & { digest: string }> {
  const head = await headManifest(client, repository, reference, what);
  return { ...head, digest: head.digest ?? (await getManifest(client, repository, reference, what)).digest };
}

/** The digest a tag (or digest) points at now; undefined when the registry does not have it. */
export async function currentDigest(client: RegistryClient, repository: string, reference: string, what: string): Promise<string | undefined> {
  try {
    return (await headManifestDigest(client, repository, reference, what)).digest;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
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

export interface ManifestPutResult {
  /** The digest the registry says it stored (Docker-Content-Digest), when it says. */
  digest?: string;
  /** The registry answered with `OCI-Subject`: it lists the manifest among its subject's referrers itself. */
  subjectProcessed: boolean;
}

/** PUT manifest bytes under a tag or their digest. */
export async function putManifest(client: RegistryClient, repository: string, reference: string, bytes: Buffer, mediaType: string, what: string): Promise<ManifestPutResult> {
  const res = await client.request({
    method: 'PUT',
    path: apiPath.manifest(repository, reference),
    headers: { 'content-type': mediaType },
    body: bytes,
    scopes: [pushScope(repository)],
    what,
  });
  await client.expect(res, [201, 200], 'PUT', what);
  const digest = header(res, 'docker-content-digest');
  const subjectProcessed = header(res, 'oci-subject') !== undefined;
  await res.body.dump();
  return { ...(digest ? { digest } : {}), subjectProcessed };
}

/** DELETE a manifest by digest: the registry drops it and every tag on it. */
export async function deleteManifest(client: RegistryClient, repository: string, digest: string, what: string): Promise<void> {
  const res = await client.request({ method: 'DELETE', path: apiPath.manifest(repository, digest), scopes: [deleteScope(repository)], what });
  if (res.status === 405) {
    await res.body.dump();
    throw new RegistryError(`${what}: the registry does not allow deleting manifests`, 405, [], {
      hint: 'registry:2 needs storage.delete.enabled: true; Docker Hub deletes tags only through its web API',
    });
  }
  await client.expect(res, [202, 200], 'DELETE', what);
  await res.body.dump();
}

/**
 * DELETE a tag (OCI distribution 1.1: the tag goes, the manifest and its other tags stay). False when the registry
 * does not support it (distribution 2.8 answers 400 DIGEST_INVALID; others 404, 405 or 501); access refused throws.
 */
export async function deleteTag(client: RegistryClient, repository: string, tag: string, what: string): Promise<boolean> {
  const res = await client.request({ method: 'DELETE', path: apiPath.manifest(repository, tag), scopes: [deleteScope(repository)], what });
  if (res.status === 202 || res.status === 200) {
    await res.body.dump();
    return true;
  }
  if ([400, 404, 405, 501].includes(res.status)) {
    await res.body.dump();
    return false;
  }
  throw await responseError(res, 'DELETE', what);
}

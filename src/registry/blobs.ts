import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { RegistryError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import { header } from '../transport/http.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { deleteScope, pullScope, pushScope } from '../transport/scope.js';
import { openUpload, sessionUrl, uploadBlob } from './blob-upload.js';
import { apiPath } from './api-path.js';

/** A blob's size from a HEAD (NotFoundError when the repository lacks it). */
export async function blobSize(client: RegistryClient, repository: string, digest: string): Promise<number> {
  const what = `checking blob ${digest} in ${client.registry}/${repository}`;
  const res = await client.request({ method: 'HEAD', path: apiPath.blob(repository, digest), scopes: [pullScope(repository)], what });
  await res.body.dump();
  await client.expect(res, [200], 'HEAD', what);
  const size = Number(header(res, 'content-length'));
  if (!Number.isSafeInteger(size) || size < 0) throw new RegistryError(`${what}: the registry sent no size`, res.status);
  return size;
}

/** A blob's size from a HEAD, or undefined when the repository lacks it (404). */
export async function headBlobSize(client: RegistryClient, repository: string, digest: string): Promise<number | undefined> {
  const what = `checking blob ${digest} in ${client.registry}/${repository}`;
  const res = await client.request({ method: 'HEAD', path: apiPath.blob(repository, digest), scopes: [pullScope(repository)], what });
  await res.body.dump();
  if (res.status === 404) return undefined;
  await client.expect(res, [200], 'HEAD', what);
  const size = Number(header(res, 'content-length'));
  if (!Number.isSafeInteger(size) || size < 0) throw new RegistryError(`${what}: the registry sent no size`, res.status);
  return size;
}

/** DELETE a blob from a repository (202); 405 when the registry does not delete. */
export async function deleteBlob(client: RegistryClient, repository: string, digest: string): Promise<void> {
  const what = `deleting blob ${digest} from ${client.registry}/${repository}`;
  const res = await client.request({ method: 'DELETE', path: apiPath.blob(repository, digest), scopes: [deleteScope(repository)], what });
  await client.expect(res, [202, 200], 'DELETE', what);
  await res.body.dump();
}

/**
 * Uploads a stream whose digest is not known in advance: POST opens a session, each `chunkSize` bytes go in a
 * PATCH with its Content-Range while they are hashed, and the closing PUT names the digest, which the registry
 * checks. One pass over the data, at most one chunk in memory. Returns what was stored.
 */
export async function uploadChunked(client: RegistryClient, repository: string, data: AsyncIterable<Buffer>, chunkSize: number): Promise<{ digest: string; size: number }> {
  const what = `uploading a blob to ${client.registry}/${repository}`;
  const scopes = [pushScope(repository)];
  const opened = await openUpload(client, repository, scopes, what);
  const start = opened.start;
  let location = opened.url.href;
  const hash = createHash('sha256');
  let size = 0;
  const send = async (chunk: Buffer) => {
    const res = await client.request({
      method: 'PATCH',
      location: location!,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(chunk.length), 'content-range': `${size}-${size + chunk.length - 1}` },
      body: chunk,
      scopes,
      what,
    });
    await client.expect(res, [202, 204], 'PATCH', what);
    await res.body.dump();
    const next = header(res, 'location');
    if (next) location = sessionUrl(next, start, what).href;
    hash.update(chunk);
    size += chunk.length;
  };
  let pending: Buffer[] = [];
  let held = 0;
  for await (const piece of data) {
    pending.push(piece);
    held += piece.length;
    while (held >= chunkSize) {
      const all = Buffer.concat(pending);
      await send(all.subarray(0, chunkSize));
      pending = [all.subarray(chunkSize)];
      held = all.length - chunkSize;
    }
  }
  if (held > 0) await send(Buffer.concat(pending));
  const digest = `sha256:${hash.digest('hex')}`;
  const url = new URL(location, start.url);
  url.searchParams.set('digest', digest);
  const end = await client.request({ method: 'PUT', location: url.toString(), headers: { 'content-length': '0' }, body: Buffer.alloc(0), scopes, what });
  await client.expect(end, [201], 'PUT', what);
  await end.body.dump();
  return { digest, size };
}

/** Uploads bytes held in memory in one PUT (retried with a new session, like every blob the copy engine sends). */
export async function uploadBytes(client: RegistryClient, repository: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const desc = { mediaType: 'application/octet-stream', digest: sha256Digest(bytes), size: bytes.length };
  await uploadBlob(client, repository, desc, async () => Readable.from([bytes]));
  return { digest: desc.digest, size: desc.size };
}

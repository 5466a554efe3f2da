import type { Readable } from 'node:stream';
import { AuthError, RegistryError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { header, type HttpResponse } from '../transport/http.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { isRetryableError, sleep } from '../transport/retry.js';
import { pullScope, pushScope } from '../transport/scope.js';
import { responseError } from '../transport/response-error.js';
import { apiPath, quoteName } from './api-path.js';

const MAX_UPLOAD_ATTEMPTS = 4;

/** Does the repository hold this blob? (HEAD; a size mismatch counts as absent.) */
export async function blobExists(client: RegistryClient, repository: string, desc: Descriptor, scopes = [pullScope(repository)]): Promise<boolean> {
  const what = `checking blob ${desc.digest} in ${client.registry}/${repository}`;
  const res = await client.request({ method: 'HEAD', path: apiPath.blob(repository, desc.digest), scopes, what });
  await res.body.dump();
  if (res.status === 404) return false;
  await client.expect(res, [200], 'HEAD', what);
  const length = header(res, 'content-length');
  return length === undefined || Number(length) === desc.size;
}

/**
 * Cross-repository mount on the same registry: `POST …/uploads/?mount=D&from=R` with a token holding push on the
 * destination and pull on the source. `mounted` when the registry mounted it (201); `not-mounted` when it opened an
 * upload session instead (202), which is cancelled.
 */
export async function mountBlob(client: RegistryClient, repository: string, desc: Descriptor, from: string): Promise<MountResult> {
  const what = `mounting blob ${desc.digest} from ${from} into ${client.registry}/${repository}`;
  let res;
  try {
    res = await client.request({
      method: 'POST',
      path: apiPath.uploads(repository),
      query: { mount: desc.digest, from },
      scopes: [pushScope(repository), pullScope(from)],
      what,
    });
  } catch (err) {
    if (err instanceof AuthError) return 'denied'; // these credentials may not read the source (e.g. --dest-creds)
    throw err;
  }
  await res.body.dump();
  if (res.status === 201) return 'mounted';
  if (res.status === 202) {
    const location = header(res, 'location');
    if (location) await cancelUpload(client, repository, sessionUrl(location, res, what).href);
    return 'not-mounted';
  }
  if (res.status === 401 || res.status === 403) return 'denied'; // no access to the source: send the bytes
  if (res.status === 404) return 'not-mounted';
  throw await responseError(res, 'POST', what);
}

/** `denied`: the credentials may not read the source repository, so no later mount from it can work either. */
export type MountResult = 'mounted' | 'not-mounted' | 'denied';

/**
 * Uploads a blob: POST opens a session, one streamed PUT `?digest=` sends the bytes. A failed attempt
 * (connection reset, 5xx) is retried with a new session and a freshly opened source stream.
 */
export async function uploadBlob(client: RegistryClient, repository: string, desc: Descriptor, open: () => Promise<Readable>): Promise<void> {
  const what = `uploading blob ${desc.digest} to ${client.registry}/${repository}`;
  const scopes = [pushScope(repository)];
  for (let attempt = 1; ; attempt++) {
    const { url } = await openUpload(client, repository, scopes, what);
    const session = url.href;
    url.searchParams.set('digest', desc.digest);
    const body = await open();
    try {
      const res = await client.request({
        method: 'PUT',
        location: url.toString(),
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
        body,
        scopes,
        what,
      });
      if (res.status === 201) {
        await res.body.dump();
        return;
      }
      // An early answer (the server did not read the whole body): abandon the body before draining the response.
      body.destroy();
      if (res.status < 500 || attempt >= MAX_UPLOAD_ATTEMPTS) throw await responseError(res, 'PUT', what);
      await res.body.dump().catch(() => undefined);
    } catch (err) {
      body.destroy();
      if (!isRetryableError(err) && !isRetryableError((err as Error).cause)) throw err;
      if (attempt >= MAX_UPLOAD_ATTEMPTS) throw err;
    }
    await cancelUpload(client, repository, session).catch(() => undefined);
    await sleep(250 * 2 ** (attempt - 1));
  }
}

/** POST opens an upload session: the POST's answer, and the session's URL (its `Location`, checked by sessionUrl). */
export async function openUpload(client: RegistryClient, repository: string, scopes: string[], what: string): Promise<{ start: HttpResponse; url: URL }> {
  const start = await client.request({ method: 'POST', path: apiPath.uploads(repository), scopes, what });
  await client.expect(start, [202], 'POST', what);
  await start.body.dump();
  const location = header(start, 'location');
  if (!location) throw new RegistryError(`${what}: the registry opened an upload without a Location`, start.status);
  return { start, url: sessionUrl(location, start, what) };
}

/**
 * The upload session a POST's `Location` names. On the registry's own origin (where credentials go) it must lie
 * below the POST's own path, `…/v2/<repository>/blobs/uploads/`: a Location into another repository or endpoint
 * is refused. Another host gets no credentials (the transport checks its address and scheme).
 */
export function sessionUrl(location: string, res: HttpResponse, what: string): URL {
  let url: URL;
  try {
    url = new URL(location, res.url);
  } catch {
    throw new RegistryError(`${what}: the registry sent an upload Location that is not a URL`, res.status);
  }
  if (url.origin === res.url.origin && !url.pathname.startsWith(res.url.pathname)) {
    throw new RegistryError(`${what}: the registry sent an upload Location outside the repository (${quoteName(url.pathname)}): refused`, res.status);
  }
  return url;
}

async function cancelUpload(client: RegistryClient, repository: string, location: string): Promise<void> {
  const res = await client.request({ method: 'DELETE', location, scopes: [pushScope(repository)], what: 'cancelling upload' });
  await res.body.dump();
}

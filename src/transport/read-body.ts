import { NetworkError, RegctlError } from '../errors.js';
import { readCapped } from '../util/read-capped.js';
import type { HttpResponse } from './http.js';
import { networkError } from './network-error.js';
import { isRetryableError } from './retry.js';

/** Body errors of a connection that broke off mid-response (besides the resets isRetryableError knows). */
const BROKEN_BODY = new Set(['UND_ERR_ABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);
const dropped = new WeakSet<Error>();

/**
 * Reads a whole response body (manifest, token, list page) with a cap. A connection that closes or goes silent
 * mid-body fails with a NetworkError (exit 5) that `fetchDocument` retries; the cap fails with ERR_TOO_LARGE.
 */
export async function readBody(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  try {
    return await readCapped(res.body, limit, what);
  } catch (err) {
    if (err instanceof RegctlError) throw err;
    const e = networkError(err, res.url);
    if (isRetryableError(err) || BROKEN_BODY.has((err as { code?: string }).code ?? '')) dropped.add(e);
    throw e;
  }
}

/** True for the NetworkError of a body that broke off (worth asking again). */
export const isDroppedBody = (err: unknown): boolean => err instanceof NetworkError && dropped.has(err);

/** Sends (`request`) and reads a capped document, asking again when the body breaks off, up to `attempts` times. */
export async function fetchDocument(
  request: () => Promise<HttpResponse>,
  limit: number,
  what: string,
  attempts = 3,
): Promise<{ res: HttpResponse; bytes: Buffer }> {
  for (let attempt = 1; ; attempt++) {
    const res = await request();
    try {
      return { res, bytes: await readBody(res, limit, what) };
    } catch (err) {
      if (!isDroppedBody(err) || attempt >= attempts) throw err;
    }
  }
}

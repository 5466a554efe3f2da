import { MAX_ERROR_BODY_BYTES } from '../util/limits.js';
import { readCapped } from '../util/read-capped.js';
import { AuthError, NotFoundError, RegistryError, type ErrorCode, type RegctlError } from '../errors.js';
import { type HttpResponse } from './http.js';
import { redactUrl } from './redact.js';


export interface RegistryErrorEntry {
  code: string;
  message?: string;
}

/** Reads the OCI error document of a failed response (`{"errors":[{code,message,detail}]}`), tolerating junk. */
export async function readErrorEntries(res: HttpResponse): Promise<{ entries: RegistryErrorEntry[]; text: string }> {
  let text = '';
  try {
    text = (await readCapped(res.body, MAX_ERROR_BODY_BYTES, 'error body')).toString('utf8');
  } catch {
    res.body.on('error', () => undefined).destroy();
  }
  try {
    const doc = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    if (Array.isArray(doc.errors)) {
      const entries = doc.errors.map((e) => ({
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        ...(typeof e.message === 'string' ? { message: e.message } : {}),
      }));
      return { entries, text };
    }
  } catch {
    // not JSON: keep the text
  }
  return { entries: [], text };
}

/**
 * Maps a failed response to a typed error. `what` says what was being done ("fetching manifest X").
 * 401/403 → AuthError, 404 → NotFoundError, anything else → RegistryError with the status and error codes.
 */
export async function responseError(res: HttpResponse, method: string, what: string): Promise<RegctlError> {
  const { entries, text } = await readErrorEntries(res);
  const detail = entries.length
    ? entries.map((e) => e.message ?? e.code.toLowerCase().replace(/_/g, ' ')).join('; ')
    : firstLine(text) || `HTTP ${res.status}`;
  const where = `${method} ${redactUrl(res.url)}`;
  switch (res.status) {
    case 401:
      return new AuthError(`${what}: unauthorized: ${detail}`, { code: 'ERR_UNAUTHORIZED' });
    case 403:
      return new AuthError(`${what}: access denied: ${detail}`, { code: 'ERR_DENIED' });
    case 404:
      return new NotFoundError(`${what}: ${entries.length ? detail : 'not found'}`, { code: notFoundCode(entries) });
    case 429:
      return new RegistryError(`${what}: too many requests: ${detail}`, 429, entries, { hint: 'the registry is rate limiting; try again later' });
    default:
      return new RegistryError(`${what}: ${where} answered ${res.status}: ${detail}`, res.status, entries);
  }
}

function notFoundCode(entries: RegistryErrorEntry[]): ErrorCode {
  const code = entries[0]?.code;
  if (code === 'MANIFEST_UNKNOWN') return 'ERR_MANIFEST_UNKNOWN';
  if (code === 'NAME_UNKNOWN') return 'ERR_NAME_UNKNOWN';
  if (code === 'BLOB_UNKNOWN') return 'ERR_BLOB_UNKNOWN';
  return 'ERR_NOT_FOUND';
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

import { IntegrityError } from '../errors.js';

/** No manifest, index or config nests deeper than a handful of levels; 8 MiB of `[[[…` would cost gigabytes. */
export const MAX_JSON_DEPTH = 64;

/**
 * JSON.parse of a document from a registry, an archive or a layout, after checking that it nests no deeper than
 * MAX_JSON_DEPTH (one pass over the bytes, before any object is built). IntegrityError (exit 6) otherwise; a
 * syntax error is JSON.parse's own, for the caller to word.
 */
export function parseJson(bytes: Buffer | string, what: string): unknown {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new IntegrityError(`${what}: JSON nested deeper than ${MAX_JSON_DEPTH} levels: refused`, { code: 'ERR_JSON_TOO_DEEP' });
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return JSON.parse(buf.toString('utf8'));
}

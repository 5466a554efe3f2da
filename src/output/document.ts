import { UsageError } from '../errors.js';

/**
 * A JSON document (a manifest, a config) for stdout: `raw` is the bytes exactly as stored (digests can be checked
 * against them), `json` is pretty-printed. Go templates (`--format '{{…}}'`, issue 15 §4) plug in here, as one more
 * case before the error below.
 */
export function renderDocument(bytes: Buffer, format: string): Buffer | string {
  if (format === 'raw') return bytes;
  if (format === 'json') {
    try {
      return `${JSON.stringify(JSON.parse(bytes.toString('utf8')), null, 2)}\n`;
    } catch {
      return bytes; // not JSON (an artifact's config): shown as it is
    }
  }
  throw new UsageError(`unknown --format "${format}": want raw or json`);
}

/** The format when none is given: pretty on a terminal, the exact bytes otherwise (pipes, files). */
export function defaultDocumentFormat(flags: { format?: string; raw?: boolean }, isTTY: boolean | undefined): string {
  if (flags.raw) {
    if (flags.format !== undefined && flags.format !== 'raw') throw new UsageError('--raw and --format exclude each other');
    return 'raw';
  }
  return flags.format ?? (isTTY ? 'json' : 'raw');
}

/** Digest, media type and size as `Key: value` lines, or JSON. */
export function renderDescriptor(d: { digest: string; mediaType: string; size: number }, format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify({ digest: d.digest, mediaType: d.mediaType, size: d.size })}\n`;
  return `Digest:     ${d.digest}\nMedia-Type: ${d.mediaType}\nSize:       ${d.size}\n`;
}

import { UsageError } from '../errors.js';
import type { Template } from '../template/template.js';
import { type OutputFormat, parseFormat, renderTemplate, TEXT_JSON } from './format.js';
import { descriptorData } from './template-data.js';

export type DocumentFormat = 'raw' | 'json' | Template;

/**
 * A JSON document (a manifest, a config) for stdout: `raw` is the bytes exactly as stored (digests can be checked
 * against them), `json` is pretty-printed, a template sees `data(bytes)` (the parsed JSON unless told otherwise).
 */
export function renderDocument(bytes: Buffer, format: DocumentFormat, data: (bytes: Buffer) => unknown = parseDocument): Buffer | string {
  if (typeof format !== 'string') return renderTemplate(format, [data(bytes)]);
  if (format === 'raw') return bytes;
  try {
    return `${JSON.stringify(JSON.parse(bytes.toString('utf8')), null, 2)}\n`;
  } catch {
    return bytes; // not JSON (an artifact's config): shown as it is
  }
}

function parseDocument(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new UsageError('the document is not JSON: a --format template has nothing to read', { hint: 'use --format raw' });
  }
}

/** The format when none is given: pretty on a terminal, the exact bytes otherwise (pipes, files); else raw, json or a template. */
export function defaultDocumentFormat(flags: { format?: string; raw?: boolean }, isTTY: boolean | undefined): DocumentFormat {
  if (flags.raw) {
    if (flags.format !== undefined && flags.format !== 'raw') throw new UsageError('--raw and --format exclude each other');
    return 'raw';
  }
  const parsed = parseFormat(flags.format ?? (isTTY ? 'json' : 'raw'), ['raw', 'json'] as const);
  return parsed.template ?? parsed.builtin;
}

/** `manifest head`, `blob head`: their formats, or a template over the descriptor. */

/** Digest, media type and size as `Key: value` lines, JSON, or through a template (Go's v1.Descriptor names). */
export function renderDescriptor(d: { digest: string; mediaType: string; size: number }, format: OutputFormat<(typeof TEXT_JSON)[number]>): string {
  if (format.template) return renderTemplate(format.template, [descriptorData(d)]);
  if (format.builtin === 'json') return `${JSON.stringify({ digest: d.digest, mediaType: d.mediaType, size: d.size })}\n`;
  return `Digest:     ${d.digest}\nMedia-Type: ${d.mediaType}\nSize:       ${d.size}\n`;
}

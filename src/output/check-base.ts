// `check-base`: a line saying current or changed (with the digests), the result as JSON, or a template over it.
import type { CheckBaseResult } from '../ops/check-base.js';
import { record } from '../template/template.js';
import { renderResult, type ResultFormat } from './verb-results.js';

function text(r: CheckBaseResult): string {
  if (r.current) return `current: ${r.base} is ${r.currentDigest}\n`;
  const was = r.recordedDigest ? ` (the image was built on ${r.recordedDigest})` : ' (its layers are no longer the image\'s first)';
  return `changed: ${r.base} is now ${r.currentDigest}${was}\n`;
}

/** The result; a template sees `Base`, `RecordedDigest` ('' when none), `CurrentDigest`, `Current`, `Method`. */
export function renderCheckBase(format: ResultFormat, r: CheckBaseResult): string {
  return renderResult(format, text(r), r, () => record({
    Base: r.base, RecordedDigest: r.recordedDigest ?? '', CurrentDigest: r.currentDigest, Current: r.current, Method: r.method,
  }, 'CheckBaseResult'));
}

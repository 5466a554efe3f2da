import { RegctlError } from '../errors.js';
import { renderTemplate, type OutputFormat } from './format.js';

/** The formats of a report (sync, copy --all-tags, prune, copy): text, JSON, or a Go template. */
export type ReportFormat = OutputFormat<'text' | 'json'>;

/** A report as JSON: its errors as `{ code, message, exitCode }` (an Error's own fields would lose the message). */
export function reportJson(report: unknown): string {
  return `${JSON.stringify(report, (_key, v: unknown) => (v instanceof RegctlError ? { code: v.code, message: v.message, exitCode: v.exitCode } : v), 2)}\n`;
}

/** A report for stdout in `format`: JSON, the template over `data(report)`, or `text(report)`. */
export function renderReport<R>(report: R, format: ReportFormat, data: (report: R) => object, text: (report: R) => string): string {
  if (format.template) return renderTemplate(format.template, [data(report)]);
  return format.builtin === 'json' ? reportJson(report) : text(report);
}

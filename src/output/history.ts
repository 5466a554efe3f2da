// `history`: docker history's table (newest first; CREATED BY cut at 45 characters unless --no-trunc), its rows as
// JSON, or a Go template per row under docker's field names.
import type { HistoryResult, HistoryRow } from '../ops/history.js';
import { record } from '../template/template.js';
import { humanSize } from './bytes.js';
import { renderTemplate, type OutputFormat } from './format.js';
import { renderTable, truncate } from './table.js';
import { relativeTime } from './time.js';

/** docker history cuts CREATED BY here. */
const CREATED_BY_WIDTH = 45;

export interface HistoryView {
  /** Full CREATED BY (docker's --no-trunc). */
  noTrunc: boolean;
  /** The sizes shown are the compressed ones (no layer was read). */
  compressed: boolean;
  now: number;
}

/** The LAYER column: the layer's short digest, or `<empty>` for a step that made no layer. */
function layerCell(row: HistoryRow, full: boolean): string {
  if (!row.layer) return row.emptyLayer ? '<empty>' : '<missing>';
  const hex = row.layer.digest.slice(row.layer.digest.indexOf(':') + 1);
  return full ? row.layer.digest : hex.slice(0, 12);
}

function createdBy(row: HistoryRow, view: HistoryView): string {
  const text = row.createdBy.replace(/\t/g, ' ');
  return view.noTrunc ? text : truncate(text, CREATED_BY_WIDTH);
}

function sizeOf(row: HistoryRow, view: HistoryView): number {
  return view.compressed ? row.size : row.unpackedSize ?? row.size;
}

/** One row under docker's field names (ID, CreatedAt, CreatedSince, CreatedBy, Size, Comment) and regctl's. */
export function historyRowData(row: HistoryRow, view: HistoryView): object {
  return record({
    ID: layerCell(row, true),
    Layer: row.layer?.digest ?? '',
    DiffID: row.layer?.diffId ?? '',
    EmptyLayer: row.emptyLayer,
    CreatedAt: row.created ?? '',
    CreatedSince: row.created ? relativeTime(row.created, view.now) : '',
    CreatedBy: createdBy(row, view),
    Author: row.author ?? '',
    Comment: row.comment,
    Size: humanSize(sizeOf(row, view)),
    CompressedSize: row.size,
    UnpackedSize: row.unpackedSize ?? null,
  }, 'HistoryRow');
}

export function renderHistory(result: HistoryResult, format: OutputFormat<'text' | 'json'>, view: HistoryView): string {
  if (format.template) return renderTemplate(format.template, result.rows.map((r) => historyRowData(r, view)));
  if (format.builtin === 'json') return `${JSON.stringify(result, null, 2)}\n`;
  const rows = result.rows.map((r) => [
    layerCell(r, view.noTrunc),
    r.created ? relativeTime(r.created, view.now) || r.created : '',
    createdBy(r, view),
    humanSize(sizeOf(r, view)),
    r.comment,
  ]);
  return renderTable(['LAYER', 'CREATED', 'CREATED BY', view.compressed ? 'COMPRESSED SIZE' : 'SIZE', 'COMMENT'], rows);
}

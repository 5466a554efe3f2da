import type { SizeFigures, SizeReport } from '../ops/size.js';
import { humanSize } from './bytes.js';
import { renderTable } from './table.js';

/** IMAGE DIGEST SIZE BLOBS [MISSING]; a TOTAL row with shared blobs counted once. */
export function renderSize(report: SizeReport): string {
  const withMissing = report.total.missing !== undefined;
  const row = (name: string, digest: string, f: SizeFigures) => [
    name, digest, humanSize(f.bytes), String(f.blobs), ...(withMissing ? [`${humanSize(f.missing!.bytes)} (${f.missing!.blobs} blobs)`] : []),
  ];
  const rows = report.images.map((i) => row(i.image, i.digest.slice(0, 19), i));
  if (report.images.length > 1) rows.push(row('TOTAL (shared blobs once)', '', report.total));
  return renderTable(['IMAGE', 'DIGEST', 'SIZE', 'BLOBS', ...(withMissing ? ['MISSING AT DESTINATION'] : [])], rows);
}

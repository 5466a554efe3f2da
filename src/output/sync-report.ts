import type { Writable } from 'node:stream';
import type { SyncImageResult, SyncProgress, SyncReport } from '../ops/sync.js';
import { record } from '../template/template.js';
import { humanSize } from './bytes.js';
import { renderTable } from './table.js';
import { terminalSafe } from './terminal.js';

/**
 * What a `--format` template sees of a sync (or copy --all-tags) report: `Images` (each `Source`, `Destination`,
 * `Status`, `Digest`, `Bytes`, `Error`), `Copied`, `Skipped`, `Failed`, `Planned`, `Bytes`, `Seconds`, `DryRun`, `Shard` (`K/N`, or empty).
 */
export function syncData(report: SyncReport): object {
  const images = report.images.map((r) => record({
    Source: r.source,
    Destination: r.destination,
    Status: r.status,
    Digest: r.digest ?? '',
    Bytes: r.bytes,
    Error: r.error?.message ?? '',
  }, 'SyncImage'));
  const { copied, skipped, failed, planned, bytes, seconds, dryRun } = report;
  const shard = report.shard ? `${report.shard.index}/${report.shard.count}` : '';
  return record({ Images: images, Copied: copied, Skipped: skipped, Failed: failed, Planned: planned, Bytes: bytes, Seconds: seconds, DryRun: dryRun, Shard: shard }, 'SyncReport');
}

/** The summary table (stderr): copied, skipped, failed, bytes sent, time. */
export function syncSummary(report: SyncReport): string {
  const head = report.dryRun ? ['TO COPY', 'UP TO DATE', 'FAILED', 'TO SEND', 'TIME'] : ['COPIED', 'SKIPPED', 'FAILED', 'SENT', 'TIME'];
  const time = `${report.seconds.toFixed(report.seconds < 10 ? 2 : 1)}s`;
  const row = report.dryRun
    ? [String(report.planned), String(report.skipped), String(report.failed), humanSize(report.bytes), time]
    : [String(report.copied), String(report.skipped), String(report.failed), humanSize(report.bytes), time];
  return renderTable(head, [row]);
}

/** The plan of a dry run (stdout): one row per image, `copy` or `skip`. */
export function syncPlan(report: SyncReport): string {
  const action = { planned: 'copy', skipped: 'skip', copied: 'copy', failed: 'failed' } as const;
  return renderTable(['ACTION', 'SOURCE', 'DESTINATION', 'TO SEND'], report.images.map((r) => [action[r.status], r.source, r.destination, r.status === 'planned' ? humanSize(r.bytes) : '']));
}

/** One line for an image that finished (or failed), for plain progress and the list of failures. */
export function imageLine(r: SyncImageResult): string {
  return terminalSafe(imageText(r));
}

function imageText(r: SyncImageResult): string {
  switch (r.status) {
    case 'copied': return `copied ${r.source} -> ${r.destination} (${humanSize(r.bytes)} sent)`;
    case 'skipped': return `up to date ${r.destination}`;
    case 'planned': return `would copy ${r.source} -> ${r.destination} (${humanSize(r.bytes)} to send)`;
    case 'failed': return `failed ${r.source} -> ${r.destination}: ${r.error?.message ?? 'unknown error'}`;
  }
}

export interface SyncProgressDisplay {
  onProgress?: (e: SyncProgress) => void;
  stop(): void;
}

/**
 * Sync progress on stderr. On a terminal: one line redrawn at most ten times a second, images done / total and
 * bytes sent. Otherwise: a plain line per image as it finishes. Nothing when quiet.
 */
export function syncProgress(stderr: Writable & { isTTY?: boolean; columns?: number }, quiet: boolean): SyncProgressDisplay {
  if (quiet) return { stop() {} };
  if (!stderr.isTTY || stderr.columns === 0) {
    return {
      onProgress: (e) => {
        if (e.kind === 'image') stderr.write(`${imageLine(e.result)}\n`);
      },
      stop() {},
    };
  }
  let total: number | undefined;
  let done = 0;
  let failed = 0;
  let bytes = 0;
  let drawn = false;
  let last = 0;
  const sent = new Map<string, number>(); // per blob in flight: bytes so far
  const draw = (force: boolean) => {
    const t = Date.now();
    if (!force && t - last < 100) return;
    last = t;
    const moving = [...sent.values()].reduce((a, b) => a + b, 0);
    const of = total === undefined ? 'listing tags…' : `${done}/${total} images`;
    const line = `${of}${failed ? `, ${failed} failed` : ''}, ${humanSize(bytes + moving)} sent`;
    stderr.write(`${drawn ? '\r\x1b[K' : ''}${line}`);
    drawn = true;
  };
  return {
    onProgress: (e) => {
      if (e.kind === 'images') total = e.total;
      else if (e.kind === 'image') {
        done++;
        if (e.result.status === 'failed') failed++;
      } else if (e.kind === 'bytes') sent.set(`${e.image} ${e.digest}`, e.done);
      else if (e.kind === 'blob') {
        sent.delete(`${e.image} ${e.digest}`);
        if (e.result === 'pushed') bytes += e.size;
      }
      draw(e.kind === 'images' || e.kind === 'image');
    },
    stop() {
      if (drawn) {
        draw(true);
        stderr.write('\n');
      }
    },
  };
}

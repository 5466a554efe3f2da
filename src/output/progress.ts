import type { Writable } from 'node:stream';
import type { CopyProgress } from '../content/copy.js';
import { humanSize } from './bytes.js';

export interface ProgressReporter {
  onProgress?: (e: CopyProgress) => void;
  /** Shows a spinner for a wait with no byte count (terminal only). */
  wait(text: string): void;
  /** Stops the live display, leaving the final state on screen. */
  stop(): void;
}

const VERBS = { pushed: 'done', mounted: 'mounted', exists: 'exists', skipped: 'exists' } as const;
const short = (digest: string) => digest.slice(7, 19);

/**
 * Progress on stderr, never stdout. On a terminal: a live line per blob (bytes, rate) and an overall line,
 * redrawn at most ten times a second, with an ora spinner for waits. Otherwise (or on a terminal 0 columns wide):
 * one plain line per finished blob, counted against the plan (`[2/5]`). Nothing at all when quiet.
 */
export async function progressReporter(stderr: Writable & { isTTY?: boolean; columns?: number; rows?: number }, opts: { quiet: boolean; color: boolean }): Promise<ProgressReporter> {
  if (opts.quiet) return { wait() {}, stop() {} };
  // A terminal that reports 0 columns (a pty nobody sized) cannot be redrawn in place: plain lines there too.
  if (!stderr.isTTY || stderr.columns === 0) {
    // The plan names every blob before any moves, so each line can say how far along the whole transfer is.
    const planned = new Set<string>();
    const finished = new Set<string>();
    return {
      onProgress: (e) => {
        if (e.kind === 'plan') {
          const fresh = e.blobs.filter((b) => !planned.has(b.digest));
          for (const b of fresh) planned.add(b.digest);
          // every blob of the plan: the destination's copies are found (and skipped) as the copy goes, so this can be
          // more than `regctl size --to` and `sync --dry-run` report as missing
          if (fresh.length) stderr.write(`${e.image}: ${fresh.length} blob${fresh.length === 1 ? '' : 's'}, ${humanSize(fresh.reduce((n, b) => n + b.size, 0))}\n`);
        }
        if (e.kind !== 'blob' || finished.has(e.digest)) return; // a blob two images share is reported once
        if (planned.has(e.digest)) finished.add(e.digest);
        const count = planned.has(e.digest) ? ` [${finished.size}/${planned.size}]` : '';
        stderr.write(`${short(e.digest)}: ${VERBS[e.result]} (${humanSize(e.size)})${count}\n`);
      },
      wait() {},
      stop() {},
    };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: stderr, color: opts.color ? 'cyan' : false, isEnabled: true });
  const blobs = new Map<string, { size: number; done: number; started: number; state?: string }>();
  const pending = (b: { state?: string; done: number }) => !b.state && b.done === 0;
  let drawn = 0;
  let last = 0;
  const draw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    let total = 0;
    let moved = 0;
    let finished = 0;
    const moving: string[] = [];
    const rest: string[] = [];
    const inOrder: string[] = [];
    for (const [digest, b] of blobs) {
      total += b.size;
      moved += b.state ? b.size : b.done;
      if (b.state) finished++;
      const rate = b.done / Math.max(0.001, (now - b.started) / 1000);
      const line = b.state ? `${short(digest)}: ${b.state} (${humanSize(b.size)})`
        : pending(b) ? `${short(digest)}: waiting (${humanSize(b.size)})`
          : `${short(digest)}: ${humanSize(b.done)} / ${humanSize(b.size)}  ${humanSize(rate)}/s`;
      inOrder.push(line);
      (b.state || pending(b) ? rest : moving).push(line);
    }
    // The live area fits the terminal (a redraw taller than the screen would scroll every frame): the blobs moving
    // first, then the others, and one line for what does not fit.
    const room = Math.max(1, (stderr.rows || Infinity) - 1) - 1;
    const shown = Math.max(0, room - 1);
    const lines = inOrder.length <= room ? inOrder : [...[...moving, ...rest].slice(0, shown), `… ${inOrder.length - shown} more blobs`];
    lines.push(`${finished}/${blobs.size} blobs, ${humanSize(moved)} / ${humanSize(total)}`);
    stderr.write(`${drawn ? `\x1b[${drawn}F\x1b[J` : ''}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const onResize = () => {
    if (drawn) draw(true);
  };
  stderr.on('resize', onResize);
  return {
    onProgress: (e) => {
      if (spinner.isSpinning) spinner.stop();
      if (e.kind === 'plan') {
        // Every blob is known before any moves: the overall line counts them all from the start.
        for (const p of e.blobs) if (!blobs.has(p.digest)) blobs.set(p.digest, { size: p.size, done: 0, started: Date.now() });
        draw(true);
        return;
      }
      const b = blobs.get(e.digest) ?? { size: e.size, done: 0, started: Date.now() };
      blobs.set(e.digest, b);
      if (e.kind === 'bytes') {
        if (pending(b)) b.started = Date.now();
        b.done = e.done;
      }
      else b.state = VERBS[e.result];
      draw(e.kind === 'blob');
    },
    wait: (text) => {
      spinner.start(text);
    },
    stop: () => {
      stderr.off('resize', onResize);
      if (spinner.isSpinning) spinner.stop();
      if (blobs.size) draw(true);
    },
  };
}

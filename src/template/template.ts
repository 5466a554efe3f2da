/**
 * Go text/template, as docker and skopeo take it in `--format`: parse once, execute over Go-typed data (values.ts).
 * Parse errors read `template: LINE: …` and execution errors `template: LINE:COL: executing at <…>: …` (COL counted
 * from 0, as Go counts it); both are UsageErrors (exit 2). A template's output is capped at OUTPUT_LIMIT bytes
 * (`{{range 1000000000}}…` fails with a clear error instead of filling memory or a disk); streamed, it is written
 * in chunks as it is produced, with the event loop (Ctrl-C) and the caller's signal served every few milliseconds.
 */
import { CancelledError, UsageError } from '../errors.js';
import { execute, type Sink } from './exec.js';
import { BUILTINS } from './funcs.js';
import { parse, type Tree } from './parse.js';

export { record, typed, nilOf, structOf, sliceOf, mapOf, ptrTo, named, T, EMPTY_STRUCT, Scalar, type GoType, type GoKind } from './values.js';

/** The most a template may write: 256 MiB (of characters), far beyond any listing a user reads. */
export const OUTPUT_LIMIT = 256 * 2 ** 20;
/** Output is handed on in chunks of about this many characters. */
const CHUNK = 64 * 1024;
/** Longest stretch of execution between turns of the event loop. */
const SLICE_MS = 10;

export interface StreamOptions {
  /** Stops execution (CancelledError, exit 130) when aborted. */
  signal?: AbortSignal;
}

export interface Template {
  /** The template's output for `data` (dot and `$`). */
  execute(data: unknown): string;
  /** Runs the template over `data`, writing its output in chunks as it is produced (awaiting each write). */
  stream(data: unknown, write: (chunk: string) => void | Promise<void>, opts?: StreamOptions): Promise<void>;
}

class Buffered implements Sink {
  private parts: string[] = [];
  private pending = 0;
  total = 0;

  write(text: string): void {
    this.total += text.length;
    if (this.total > OUTPUT_LIMIT) {
      throw new UsageError(`template output exceeds ${OUTPUT_LIMIT / 2 ** 20} MiB`, { hint: 'a template that prints this much is most likely looping; narrow it (README: Output formats)' });
    }
    this.parts.push(text);
    this.pending += text.length;
  }

  get size(): number {
    return this.pending;
  }

  take(): string {
    const s = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    return s;
  }
}

export function parseTemplate(text: string): Template {
  const tree: Tree = parse(text, new Set(BUILTINS.keys()));
  return {
    execute(data) {
      const sink = new Buffered();
      const run = execute(text, tree, data, BUILTINS, sink);
      while (!run.next().done);
      return sink.take();
    },
    async stream(data, write, opts = {}) {
      const sink = new Buffered();
      const run = execute(text, tree, data, BUILTINS, sink);
      let turn = Date.now();
      for (;;) {
        let step: IteratorResult<void, void>;
        try {
          step = run.next();
        } catch (err) {
          // As Go's Execute: what was produced before the error is written.
          const rest = sink.take();
          if (rest && !(err instanceof UsageError && sink.total > OUTPUT_LIMIT)) await write(rest);
          throw err;
        }
        if (sink.size >= CHUNK || step.done) {
          const chunk = sink.take();
          if (chunk) await write(chunk);
        }
        if (step.done) return;
        if (Date.now() - turn >= SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          turn = Date.now();
        }
        if (opts.signal?.aborted) throw opts.signal.reason instanceof Error ? opts.signal.reason : new CancelledError();
      }
    },
  };
}

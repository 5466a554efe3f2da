// Commands that take several inputs (digest, inspect, manifest head, tags): the inputs from the arguments and
// `--from-file` (read as they are needed), and the output of a batch printed as its outcomes come, in input order,
// with its failures named on stderr.
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Command } from '@commander-js/extra-typings';
import type { CommandEnv } from './command-env.js';
import { ExitCode, partialExitCode, PartialFailureError, RegctlError, UsageError } from '../errors.js';
import type { BatchSummary, OnResult, Outcome } from '../api/read.js';

/** `--from-file FILE|-`, for a definition's build. */
export const fromFileOption = <C extends Command<any[], any>>(cmd: C, what: string) =>
  cmd.option('--from-file <file>', `read ${what} from this file, one per line (- for stdin; blank lines and # comments skipped)`);

/** A line of `--from-file` longer than this is refused (a reference is far shorter): a line is all that is held. */
export const MAX_LINE = 64 * 1024;

/**
 * The inputs: the arguments, then the lines of `--from-file` (blank lines and `#` comments skipped), read as they are
 * needed, so a file of any length (or an endless stdin) is never held whole. None at all is a usage error, found
 * before anything is printed; so is a file that cannot be opened.
 */
export async function batchInputs(env: CommandEnv, args: string[], fromFile: string | undefined, what: string): Promise<Iterable<string> | AsyncIterable<string>> {
  const none = () => new UsageError(`no ${what} given`, { hint: `name them as arguments or with --from-file FILE` });
  if (fromFile === undefined) {
    if (!args.length) throw none();
    return args;
  }
  let stream: Readable;
  if (fromFile === '-') {
    stream = env.io.stdin;
    stream.setEncoding('utf8');
  } else {
    try {
      stream = (await open(fromFile)).createReadStream({ encoding: 'utf8' });
    } catch (err) {
      throw new UsageError(`--from-file ${fromFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  const lines = fileLines(stream, fromFile)[Symbol.asyncIterator]();
  // with no argument, the first line is read now: a file without any is a usage error before any output
  const first = args.length ? undefined : await lines.next();
  if (first?.done) throw none();
  return (async function* inputs() {
    yield* args;
    if (first) yield first.value;
    for (let next = await lines.next(); !next.done; next = await lines.next()) yield next.value;
  })();
}

/** The entries of a `--from-file` stream: each line trimmed, blank lines and `# comments` skipped. */
async function* fileLines(stream: Readable, name: string): AsyncGenerator<string> {
  let rest = '';
  try {
    for await (const chunk of stream) {
      const lines = (rest + (chunk as string)).split('\n');
      rest = lines.pop()!;
      if (rest.length > MAX_LINE) throw new UsageError(`--from-file ${name}: a line longer than ${MAX_LINE} characters`);
      for (const line of lines) {
        const item = line.trim();
        if (item && !item.startsWith('#')) yield item;
      }
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`--from-file ${name}: ${(err as Error).message}`, { cause: err });
  } finally {
    if (name !== '-') stream.destroy();
  }
  const item = rest.trim();
  if (item && !item.startsWith('#')) yield item;
}

/** How a batch's outcomes print: the text of a success (`nth`: how many printed before it), or a JSON entry. */
export type BatchRender<T> =
  | { json: (outcome: Outcome<T>) => Record<string, unknown> }
  | { text: (input: string, result: T, nth: number) => string };

/** Output written in pieces of about this size (and whenever the batch waits for an outcome). */
const FLUSH_AT = 64 * 1024;

/**
 * Prints a batch as its outcomes come (`run` calls the library with `onResult`), in input order: text for each
 * success, or one JSON array written incrementally (`[`, the entries, `]`: the bytes of `JSON.stringify(all, null,
 * 2)`). Each failure is named on stderr as it comes (`regctl: INPUT: message`, its hint); at the end the command
 * fails with the exit code of every partial failure (errors.ts partialExitCode: the code they share, else 1).
 */
export async function printBatch<T>(env: CommandEnv, run: (onResult: OnResult<T>) => Promise<BatchSummary>, render: BatchRender<T>): Promise<void> {
  const out = env.io.stdout;
  let pending = '';
  let immediate: NodeJS.Immediate | undefined;
  const flushSoon = () => {
    immediate ??= setImmediate(() => {
      immediate = undefined;
      if (pending) out.write(pending);
      pending = '';
    });
  };
  const flush = async () => {
    if (pending) out.write(pending);
    pending = '';
    if (out.writableNeedDrain) await once(out, 'drain');
  };
  const json = 'json' in render ? render.json : undefined;
  let printed = 0;
  const codes = new Map<number, unknown>(); // one failure of each exit code: all partialExitCode needs
  const summary = await run(async (o) => {
    if ('error' in o) {
      if (!(o.error instanceof RegctlError)) throw o.error; // a bug: the CLI reports it as an internal error
      env.warn(`${o.input}: ${o.error.message}`);
      if (o.error.hint) env.warn(`${o.input}: hint: ${o.error.hint}`);
      codes.set(o.error.exitCode, o.error);
    }
    if (json) {
      pending += `${printed ? ',\n' : '[\n'}  ${JSON.stringify(json(o), null, 2).replaceAll('\n', '\n  ')}`;
      printed++;
    } else if ('result' in o && 'text' in render) {
      pending += render.text(o.input, o.result, printed++);
    }
    if (pending.length >= FLUSH_AT || out.writableNeedDrain) await flush();
    else flushSoon();
  }).catch(async (err: unknown) => {
    await flush().catch(() => undefined); // what came before the failure (of the input, of a write) stays printed
    throw err;
  }).finally(() => {
    if (immediate) clearImmediate(immediate);
    immediate = undefined;
  });
  if (json) pending += printed ? '\n]\n' : '[]\n';
  await flush();
  if (summary.failed) {
    const failures = [...codes.values()].map((error) => ({ error }));
    throw new PartialFailureError('ERR_BATCH', `${summary.failed} of ${summary.total} failed (above)`, failures.length ? partialExitCode(failures) : ExitCode.failure);
  }
}

/** A batch's JSON entry for one input: `{[key]: input, ...ok(result)}`, or the error's message and exit code. */
export function outcomeJson<T>(o: Outcome<T>, key: string, ok: (result: T) => Record<string, unknown>): Record<string, unknown> {
  if (!('error' in o)) return { [key]: o.input, ...ok(o.result) };
  const err = o.error;
  return { [key]: o.input, error: err instanceof Error ? err.message : String(err), exitCode: err instanceof RegctlError ? err.exitCode : ExitCode.failure };
}

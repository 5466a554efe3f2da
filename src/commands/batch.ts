// Commands that take several images (digest, inspect): the inputs from the arguments and `--from-file`, and the
// report of a batch's failures.
import { readFile } from 'node:fs/promises';
import type { Command } from '@commander-js/extra-typings';
import type { CommandEnv } from './command-env.js';
import { ExitCode, partialExitCode, PartialFailureError, RegctlError, UsageError } from '../errors.js';
import type { Outcome } from '../api/read.js';

/** `--from-file FILE|-`, for a definition's build. */
export const fromFileOption = <C extends Command<any[], any>>(cmd: C, what: string) =>
  cmd.option('--from-file <file>', `read ${what} from this file, one per line (- for stdin; blank lines and # comments skipped)`);

/** The inputs: the arguments, then the lines of `--from-file`. None at all is a usage error. */
export async function batchInputs(env: CommandEnv, args: string[], fromFile: string | undefined, what: string): Promise<string[]> {
  const inputs = [...args];
  if (fromFile !== undefined) {
    let text: string;
    try {
      text = fromFile === '-' ? await readStream(env.io.stdin) : await readFile(fromFile, 'utf8');
    } catch (err) {
      throw new UsageError(`--from-file ${fromFile}: ${(err as Error).message}`, { cause: err });
    }
    for (const line of text.split('\n')) {
      const item = line.trim();
      if (item && !item.startsWith('#')) inputs.push(item);
    }
  }
  if (!inputs.length) throw new UsageError(`no ${what} given`, { hint: `name them as arguments or with --from-file FILE` });
  return inputs;
}

/**
 * Warns about each failed input (`regctl: IMAGE: message`, with its hint) and then fails with the exit code of
 * every partial failure (errors.ts partialExitCode: the code the failures share, else 1). Nothing when all succeeded.
 */
export function failBatch<T>(env: CommandEnv, outcomes: Outcome<T>[]): void {
  const failures: { error: unknown }[] = [];
  for (const o of outcomes) {
    if (!('error' in o)) continue;
    if (!(o.error instanceof RegctlError)) throw o.error; // a bug: the CLI reports it as an internal error
    failures.push(o);
    env.warn(`${o.input}: ${o.error.message}`);
    if (o.error.hint) env.warn(`${o.input}: hint: ${o.error.hint}`);
  }
  if (failures.length) throw new PartialFailureError('ERR_BATCH', `${failures.length} of ${outcomes.length} failed (above)`, partialExitCode(failures));
}

/** A batch's JSON entry for one input: `{[key]: input, ...ok(result)}`, or the error's message and exit code. */
export function outcomeJson<T>(o: Outcome<T>, key: string, ok: (result: T) => Record<string, unknown>): Record<string, unknown> {
  if (!('error' in o)) return { [key]: o.input, ...ok(o.result) };
  const err = o.error;
  return { [key]: o.input, error: err instanceof Error ? err.message : String(err), exitCode: err instanceof RegctlError ? err.exitCode : ExitCode.failure };
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk as string;
  return text;
}

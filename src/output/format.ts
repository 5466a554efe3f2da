import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { parseTemplate, type Template } from '../template/template.js';
import { terminalSafe } from './terminal.js';

/**
 * Whether template output goes to a terminal (the CLI sets it per command from stdout): then what a template prints —
 * labels, annotations, tags a registry controls — is escaped as every other renderer escapes it (`\x1b]0;…` shown,
 * not obeyed); to a pipe or a file it stays byte-exact.
 */
let toTerminal = false;

export function templatesToTerminal(on: boolean): void {
  toTerminal = on;
}

const shown = (text: string) => (toTerminal ? terminalSafe(text, { multiline: true }) : text);

/** The built-in formats of every command whose default is text: `text` and `json` (besides a Go template). */
export const TEXT_JSON = ['text', 'json'] as const;

/** A `--format` value: one of the command's own formats (`table`, `json`, …) or a Go template. */
export type OutputFormat<B extends string> = { builtin: B; template?: undefined } | { builtin?: undefined; template: Template };

/**
 * Reads `--format`: a built-in name, else a Go template (parsed now, so a bad one fails before any work, exit 2).
 * As docker and skopeo do, `\t` and `\n` typed in the template are a tab and a newline. A value with no `{{` is
 * neither (a misspelt `tabel` would otherwise print itself).
 */
export function parseFormat<B extends string>(value: string, builtins: readonly B[]): OutputFormat<B> {
  if ((builtins as readonly string[]).includes(value)) return { builtin: value as B };
  if (!value.includes('{{')) {
    throw new UsageError(`--format ${JSON.stringify(value)}: neither ${builtins.join(', ')} nor a Go template`, {
      hint: "a template names the fields to print: --format '{{.Name}}' (README: Output formats)",
    });
  }
  return { template: parseTemplate(typedEscapes(value)) };
}

/** `\t` and `\n` typed in the text around the actions (inside them Go's own string escapes apply). */
function typedEscapes(value: string): string {
  return value.replace(/(^|}})([^]*?)(?={{|$)/g, (_m, close: string, text: string) => close + text.replace(/\\t/g, '\t').replace(/\\n/g, '\n'));
}

/** `--format`'s help: the built-in formats, or a template. */
export function formatHelp(builtins: readonly string[]): string {
  return `${builtins.join(', ')} or a Go template, e.g. '{{json .}}' (README: Output formats)`;
}

/** Each item through the template, each output on a line of its own (a newline added unless it ends with one). */
export function renderTemplate(template: Template, items: unknown[]): string {
  return shown(
    items
      .map((item) => {
        const out = template.execute(item);
        return out.endsWith('\n') ? out : `${out}\n`;
      })
      .join(''),
  );
}

/**
 * renderTemplate written to `out` as it is produced: chunk by chunk, waiting for `out` to drain (memory stays flat
 * however long the output), with the event loop served while it runs (Ctrl-C ends it) and `signal` checked.
 */
export async function writeTemplate(template: Template, items: unknown[], out: Writable, signal?: AbortSignal): Promise<void> {
  for (const item of items) {
    let last = '';
    await template.stream(item, async (chunk) => {
      last = chunk[chunk.length - 1] ?? last;
      if (!out.write(shown(chunk))) await once(out, 'drain', signal ? { signal } : {});
    }, signal ? { signal } : {});
    if (last !== '\n') out.write('\n');
  }
}

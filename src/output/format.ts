import { UsageError } from '../errors.js';
import { parseTemplate, type Template } from '../template/template.js';

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
  return items
    .map((item) => {
      const out = template.execute(item);
      return out.endsWith('\n') ? out : `${out}\n`;
    })
    .join('');
}

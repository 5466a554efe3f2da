/**
 * Go text/template, as docker and skopeo take it in `--format`: parse once, execute over plain data.
 * Parse and execution errors are UsageErrors (exit 2) reading `template: LINE:COL: …`, COL counted from 0 as Go does.
 */
import { execute } from './exec.js';
import { BUILTINS } from './funcs.js';
import { parse, type Node } from './parse.js';

export { record } from './values.js';

export interface Template {
  /** The template's output for `data` (dot and `$`). */
  execute(data: unknown): string;
}

export function parseTemplate(text: string): Template {
  const nodes: Node[] = parse(text, new Set(BUILTINS.keys()));
  return { execute: (data) => execute(text, nodes, data, BUILTINS) };
}

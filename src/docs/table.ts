/** README's command table, written from the command specs (a test fails when README's copy differs). */
import type { CommandSpec } from './spec.js';

const cell = (s: string) => s.replace(/\|/g, '\\|');

function rows(spec: CommandSpec, path: string): string[] {
  const name = [path, ...spec.aliases.map((a) => path.replace(/\S+$/, a))].map((n) => `\`${n}\``).join(', ');
  return [`| ${name} | ${cell(spec.summary)} | ${cell(spec.peers ?? '')} |`, ...spec.subcommands.flatMap((s) => rows(s, `${path} ${s.name}`))];
}

/** One row per command and subcommand: name (and aliases), what it does, the crane/regclient/skopeo name for it. */
export function commandTable(root: CommandSpec): string {
  return ['| command | what it does | crane / regclient / skopeo |', '|---|---|---|', ...root.subcommands.flatMap((c) => rows(c, c.name))].join('\n') + '\n';
}

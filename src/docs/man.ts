/**
 * Man pages (roff, man(7) macros), written from the command specs at build time: regctl(1) with every command,
 * and regctl-NAME(1) per command with its subcommands, arguments, options, the global options and exit codes.
 */
import type { CommandSpec, OptionSpec } from './spec.js';

/** The exit codes every command uses (README's table says the same; a test holds them together). */
export const EXIT_CODES: readonly [code: number, meaning: string][] = [
  [0, 'success'],
  [1, 'other failure (config, credential helper, keychain, unexpected registry answer)'],
  [2, 'usage error or invalid image reference'],
  [3, 'not found: manifest, tag, repository, platform'],
  [4, 'authentication failed or access denied'],
  [5, 'network or TLS failure'],
  [6, 'integrity failure: digest or size mismatch'],
  [7, 'not trusted: no valid signature for the keys or identities given, or refused by a trust policy'],
];

/** Text made safe for roff: backslashes and dashes escaped, no line starting with a control character. */
function esc(s: string): string {
  return s.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

const bold = (s: string) => `\\fB${esc(s)}\\fR`;

function optionItems(options: readonly OptionSpec[]): string[] {
  return options.flatMap((o) => {
    const extra = [o.choices ? `one of: ${o.choices.join(', ')}` : '', o.defaultValue !== undefined ? `default: ${o.defaultValue}` : ''].filter(Boolean);
    return ['.TP', bold(o.flags), esc(o.description + (extra.length ? ` (${extra.join('; ')})` : ''))];
  });
}

function header(title: string, version: string): string[] {
  return [`.TH ${title.toUpperCase()} 1 "" "regctl ${version}" "regctl manual"`];
}

function commonSections(root: CommandSpec, seeAlso: string[]): string[] {
  return [
    '.SH GLOBAL OPTIONS',
    ...optionItems(root.options),
    '.SH EXIT STATUS',
    ...EXIT_CODES.flatMap(([code, meaning]) => ['.TP', bold(String(code)), esc(meaning)]),
    '.SH SEE ALSO',
    esc(seeAlso.join(', ')),
  ];
}

/** regctl(1): what it is and every command. */
export function mainManPage(root: CommandSpec, version: string): string {
  return `${[
    ...header('regctl', version),
    '.SH NAME',
    `regctl \\- ${esc(root.summary)}`,
    '.SH SYNOPSIS',
    `${bold('regctl')} [global options] ${esc('<command> [options] [arguments]')}`,
    '.SH COMMANDS',
    ...root.subcommands.flatMap((c) => ['.TP', bold(c.name), esc(c.summary)]),
    ...commonSections(root, root.subcommands.map((c) => `regctl-${c.name}(1)`)),
  ].join('\n')}\n`;
}

/** What a command does: its summary, aliases, arguments, options and the same job in other tools. */
function body(spec: CommandSpec, path: string): string[] {
  const lines = ['.PP', esc(`${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`)];
  if (spec.aliases.length) lines.push('.PP', esc(`Also: ${spec.aliases.map((a) => `regctl ${path.replace(/\S+$/, a)}`).join(', ')}.`));
  if (spec.arguments.length) {
    lines.push('.PP', 'Arguments:', '.RS');
    for (const a of spec.arguments) lines.push('.TP', `\\fI${esc(a.name)}\\fR${a.variadic ? '...' : ''}${a.required ? '' : ' (optional)'}`, esc(a.description));
    lines.push('.RE');
  }
  if (spec.options.length) lines.push('.PP', 'Options:', '.RS', ...optionItems(spec.options), '.RE');
  if (spec.peers) lines.push('.PP', esc(`Other tools: ${spec.peers}.`));
  return lines;
}

const synopsis = (spec: CommandSpec, path: string) => `${bold(`regctl ${path}`)} ${esc(spec.usage)}`;

/** regctl-NAME(1): one command, its subcommands after it. */
export function commandManPage(root: CommandSpec, spec: CommandSpec, version: string): string {
  const subs = (s: CommandSpec, path: string): string[] =>
    s.subcommands.flatMap((c) => {
      const p = `${path} ${c.name}`;
      return [`.SS "${esc(p)}"`, synopsis(c, p), ...body(c, p), ...subs(c, p)];
    });
  return `${[
    ...header(`regctl-${spec.name}`, version),
    '.SH NAME',
    `regctl\\-${esc(spec.name)} \\- ${esc(spec.summary)}`,
    '.SH SYNOPSIS',
    synopsis(spec, spec.name),
    '.SH DESCRIPTION',
    ...body(spec, spec.name),
    ...(spec.subcommands.length ? ['.SH SUBCOMMANDS', ...subs(spec, spec.name)] : []),
    ...commonSections(root, ['regctl(1)']),
  ].join('\n')}\n`;
}

/** Every page: [file name, contents]. */
export function manPages(root: CommandSpec, version: string): [string, string][] {
  return [['regctl.1', mainManPage(root, version)], ...root.subcommands.map((c): [string, string] => [`regctl-${c.name}.1`, commandManPage(root, c, version)])];
}

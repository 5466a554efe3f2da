/**
 * A command as help, man pages, completion scripts and the README table describe it: read from the commander tree
 * the CLI builds from the command definitions, so none of them can say something help does not.
 */
import type { Command } from 'commander';

export interface OptionSpec {
  /** As help shows it: `-o, --output <file>`. */
  flags: string;
  long?: string;
  short?: string;
  /** `<file>`: the option takes a value (the next word); its name hints what to complete. `[v]`: only as `--opt=v`. */
  value?: string;
  description: string;
  choices?: string[];
  defaultValue?: string;
}

export interface ArgumentSpec {
  name: string;
  required: boolean;
  variadic: boolean;
  description: string;
  choices?: string[];
}

export interface CommandSpec {
  name: string;
  aliases: string[];
  summary: string;
  /** `[options] <source> <destination>` */
  usage: string;
  arguments: ArgumentSpec[];
  options: OptionSpec[];
  subcommands: CommandSpec[];
  /** The same job in crane, regclient, skopeo (the definition's `peers`). */
  peers?: string;
  /** The man page's EXAMPLES: each a command line and what it does (the definition's `examples`). */
  examples?: Example[];
}

/** An example: a command line (`regctl digest alpine`) and what it does, one sentence. */
export type Example = readonly [command: string, what: string];

/**
 * The spec of a commander command and its subcommands; `peers` and `examples` by command path (`copy`, `tag ls`; the
 * root is '').
 */
export function commandSpec(cmd: Command, peers: ReadonlyMap<string, string> = new Map(), path = '', examples: ReadonlyMap<string, readonly Example[]> = new Map()): CommandSpec {
  const peer = peers.get(path);
  const shown = examples.get(path);
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    summary: cmd.summary() || cmd.description(),
    usage: cmd.usage(),
    arguments: cmd.registeredArguments.map((a) => ({
      name: a.name(),
      required: a.required,
      variadic: a.variadic,
      description: a.description,
      ...(a.argChoices ? { choices: a.argChoices } : {}),
    })),
    options: cmd.options
      .filter((o) => !o.hidden)
      .map((o) => ({
        flags: o.flags,
        ...(o.long ? { long: o.long } : {}),
        ...(o.short ? { short: o.short } : {}),
        ...(o.required ? { value: o.flags.slice(o.flags.indexOf('<')) } : {}),
        description: o.description,
        ...(o.argChoices ? { choices: o.argChoices } : {}),
        ...(o.defaultValue !== undefined && typeof o.defaultValue !== 'boolean' ? { defaultValue: String(o.defaultValue) } : {}),
      })),
    subcommands: cmd.commands.map((c) => commandSpec(c, peers, path ? `${path} ${c.name()}` : c.name(), examples)),
    ...(peer ? { peers: peer } : {}),
    ...(shown?.length ? { examples: [...shown] } : {}),
  };
}

interface Described {
  name: string;
  peers?: string;
  examples?: readonly Example[];
  subcommands?: readonly Described[];
}

/** Each command's `examples` by command path (`copy`, `tag ls`), from the command definitions. */
export function examplesByPath(definitions: readonly Described[], prefix = ''): Map<string, readonly Example[]> {
  const map = new Map<string, readonly Example[]>();
  for (const d of definitions) {
    const path = prefix ? `${prefix} ${d.name}` : d.name;
    if (d.examples?.length) map.set(path, d.examples);
    for (const [k, v] of examplesByPath(d.subcommands ?? [], path)) map.set(k, v);
  }
  return map;
}

/** Each command's `peers` by command path (`copy`, `tag ls`), from the command definitions. */
export function peersByPath(definitions: readonly Described[], prefix = ''): Map<string, string> {
  const map = new Map<string, string>();
  for (const d of definitions) {
    const path = prefix ? `${prefix} ${d.name}` : d.name;
    if (d.peers) map.set(path, d.peers);
    for (const [k, v] of peersByPath(d.subcommands ?? [], path)) map.set(k, v);
  }
  return map;
}

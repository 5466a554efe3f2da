// Types only from commander: cli.ts creates the commands (commander stays in cli.ts's bundle), and a definition
// builds its arguments and options on the command it is handed.
import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { CommandEnv } from './command-env.js';
import type { CredentialFlags, TransferCredentialFlags } from './credentials.js';

/**
 * Which registries a command reaches, and so which credential flags it takes: `none`; `one` (`--creds`,
 * `--registry-token`, `--no-creds`, `--authfile`); `sides`, a source and a destination (also `--src-*`, `--dest-*`).
 */
export type RegistryUse = 'none' | 'one' | 'sides';

/** The credential flags a command gets for its RegistryUse (cli.ts adds them; the definition does not declare them). */
export type RegistryFlags<R extends RegistryUse> = R extends 'sides' ? TransferCredentialFlags : R extends 'one' ? CredentialFlags : {};

/**
 * One command: everything help, man pages, completion and the README table say about it, and its action. Each
 * src/commands/NAME.ts exports one as its default; index.ts lists them. The argument and option types of `action`
 * are inferred from what `build` declares.
 */
export interface CommandDefinition<Args extends unknown[] = any[], Opts extends OptionValues = any, R extends RegistryUse = RegistryUse> {
  /** The command's name: also its file's name. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line for help and the README table. */
  readonly summary: string;
  /** Overrides commander's generated usage line. */
  readonly usage?: string;
  readonly registry: R;
  /** The same job under other tools' names: `crane digest`, `skopeo inspect --format '{{.Digest}}'`, … */
  readonly peers?: string;
  /**
   * Declares the arguments and options on the command cli.ts created (its name and summary are set). `locations`
   * names the forms an image location takes, for the help of commands that take any (transportUsage()).
   */
  build(cmd: Command, locations: string): Command<Args, Opts>;
  /**
   * Library options whose flag is not `--kebab-case` of the option's name (`{ to: '--tag' }`): a library error about
   * option `to` is printed naming `--tag` (flag-names.ts).
   */
  readonly flags?: Readonly<Record<string, string>>;
  /** The man page's EXAMPLES: each a command line (`regctl digest alpine`) and what it does, one sentence. */
  readonly examples?: readonly (readonly [command: string, what: string])[];
  /** Subcommands (`tag ls`, `manifest get`), each a definition of its own. */
  readonly subcommands?: readonly CommandDefinition[];
  /** Runs the command. The library context comes from env.context(); output goes to env.io; errors are thrown. */
  action?(env: CommandEnv, ...args: NoInfer<[...Args, Opts & RegistryFlags<R>]>): Promise<void>;
}

/**
 * The options a definition's `build` declares, with its credential flags: the type of an action written as a
 * function of its own (`const build = (cmd: Command) => cmd.option(…)`; `flags: FlagsOf<typeof build, 'one'>`).
 */
export type FlagsOf<B extends (cmd: Command, locations: string) => Command<any[], OptionValues>, R extends RegistryUse = 'none'> =
  ReturnType<B> extends Command<any[], infer O> ? O & RegistryFlags<R> : never;

/** Identity at run time; gives `action` its argument and option types from `build`. */
export function defineCommand<Args extends unknown[], Opts extends OptionValues, R extends RegistryUse>(
  definition: CommandDefinition<Args, Opts, R>,
): CommandDefinition<Args, Opts, R> {
  return definition;
}

/** Repeatable options (`--annotation K=V`…): commander's argParser that collects every value given. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

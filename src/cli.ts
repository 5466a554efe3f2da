export type { CommandEnv, GlobalOptions, Io } from './commands/command-env.js';
import { Command, CommanderError } from 'commander';
import { addCredentialOptions } from './commands/credential-options.js';
import { ExitCode, RegctlError } from './errors.js';
import type { CommandEnv, GlobalOptions, Io } from './commands/command-env.js';
import { terminalSafe } from './output/terminal.js';
import type { Context } from './api/context.js';
import type { Command as TypedCommand } from '@commander-js/extra-typings';
import type { CommandDefinition } from './commands/define.js';
import { inFlagTerms } from './commands/flag-names.js';
import { packageVersion } from './util/version.js';
import { versionText } from './util/version-text.js';
import { parseDuration } from './util/duration.js';
import { fsError } from './util/fs-error.js';

export const VERSION = packageVersion();

export { runInterruptCleanups } from './util/interrupt.js';

/** Runs one regctl invocation and returns its exit code. The only place errors become messages. */
export async function run(argv: string[], io: Io): Promise<number> {
  const global: GlobalOptions = {};
  let ctx: Promise<Context> | undefined;
  const env: CommandEnv = {
    io,
    global,
    context: () => (ctx ??= buildContext(io, global)),
    warn: (message) => io.stderr.write(`regctl: ${terminalSafe(message)}\n`),
    color: Boolean(io.stderr.isTTY) && io.env.NO_COLOR === undefined,
    commandTree: () => commandTree(env),
  };
  try {
    // Help lists the transports from their registry; loaded only for help (it pulls in what each transport opens).
    const wantsHelp = argv[0] === 'help' || argv.includes('--help') || argv.includes('-h');
    const locations = wantsHelp ? (await import('./api/locations.js')).transportUsage() : 'REF, TRANSPORT:…';
    const program = buildProgram(env);
    for (const definition of await definitionsFor(argv)) register(program, definition, env, locations);
    await program.parseAsync(argv, { from: 'user' });
    return env.exitCode ?? ExitCode.ok;
  } catch (err) {
    return reportError(err, io, global, env.color ? (await import('chalk')).default : undefined);
  } finally {
    if (ctx) await (await ctx.catch(() => undefined))?.close();
  }
}

/**
 * The whole command tree as commander holds it, every command registered (for help, completion and man pages,
 * which walk `commands`, `options` and `registeredArguments`). Its actions run against `env`, when given.
 */
export async function commandTree(env?: CommandEnv): Promise<Command> {
  const { allCommands } = await import('./commands/index.js');
  const sink = { write: () => true } as unknown as Io['stdout'];
  const quiet: CommandEnv = env ?? {
    io: { stdout: sink, stderr: sink, stdin: undefined as never, env: {}, homedir: '', runtime: undefined as never },
    global: {},
    context: () => Promise.reject(new Error('commandTree(): no context to run commands in')),
    warn: () => undefined,
    color: false,
  };
  const program = buildProgram(quiet);
  const { transportUsage } = await import('./api/locations.js');
  for (const definition of await allCommands()) register(program, definition, quiet, transportUsage());
  return program;
}

/** The invoked command's definition alone when argv names one; every definition otherwise (help, errors). */
async function definitionsFor(argv: string[]): Promise<CommandDefinition[]> {
  const { COMMANDS, allCommands } = await import('./commands/index.js');
  const name = commandName(argv);
  // `regctl --version` builds no command (help, which lists them all, is asked for with --help or no words at all)
  if (name === undefined && argv.some((a) => a === '--version' || a === '-v') && !argv.some((a) => a === '--help' || a === '-h')) return [];
  const load = name === undefined ? undefined : COMMANDS[name];
  return load ? [(await load()).default] : allCommands();
}

/** The first word of argv that is not a global option (or its value). */
function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--timeout') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

function buildProgram(env: CommandEnv): Command {
  const { io, global } = env;
  return new Command('regctl')
    .description('Daemonless container-registry client: search, inspect, copy, pull, push, save and load images')
    .version(versionText(io.runtime), '-v, --version', 'print the version, the commit it was built from, Node\'s version and the platform')
    .option('--debug', 'print debug information (requests, stack traces) to stderr; secrets are never printed')
    .option('--insecure', 'allow plain http and skip TLS verification for every registry')
    .option('--timeout <duration>', 'give up on the registry after this long (e.g. 30s, 5m; default: no limit), exit 5')
    .option('--no-cache', 'do not keep registry pings and tokens between runs (also REGCTL_NO_CACHE=1)')
    .showHelpAfterError('(run regctl --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'regctl: ')),
    })
    .hook('preAction', (root) => {
      Object.assign(global, root.opts());
      if (global.timeout !== undefined) parseDuration(global.timeout); // a bad value fails before any work
    });
}

/** Adds a command from its definition: its own arguments and options, the credential flags of its RegistryUse. */
function register(parent: Command, definition: CommandDefinition, env: CommandEnv, locations: string): void {
  const cmd = parent.command(definition.name).description(definition.summary);
  for (const alias of definition.aliases ?? []) cmd.alias(alias);
  if (definition.usage) cmd.usage(definition.usage);
  definition.build(cmd as unknown as TypedCommand, locations);
  if (definition.registry !== 'none') addCredentialOptions(cmd, { sides: definition.registry === 'sides' });
  for (const sub of definition.subcommands ?? []) register(cmd, sub, env, locations);
  const action = definition.action;
  // commander passes the arguments, the options, then the command itself
  if (action) {
    cmd.action(async (...args: unknown[]) => {
      try {
        (await import('./output/format.js')).templatesToTerminal(env.io.stdout.isTTY === true);
        await action(env, ...(args.slice(0, -1) as [...unknown[], unknown]));
      } catch (err) {
        throw inFlagTerms(err, definition.flags);
      }
    });
  }
}

async function buildContext(io: Io, global: GlobalOptions): Promise<Context> {
  const { createContext } = await import('./api/context.js');
  return createContext({
    env: io.env,
    homedir: io.homedir,
    runtime: io.runtime,
    insecure: global.insecure ?? false,
    ...(global.timeout !== undefined ? { timeoutMs: parseDuration(global.timeout) } : {}),
    noCache: global.cache === false,
    ...(global.debug ? { debug: (line: string) => io.stderr.write(`debug: ${terminalSafe(line)}\n`) } : {}),
    onWarning: (warning) => io.stderr.write(`regctl: warning: ${terminalSafe(warning.message)}\n`),
  });
}

interface Paint {
  red(s: string): string;
  dim(s: string): string;
}

function reportError(err: unknown, io: Io, global: GlobalOptions, paint?: Paint): number {
  const prefix = paint ? paint.red('regctl:') : 'regctl:';
  const hint = paint ? paint.dim('hint:') : 'hint:';
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage; // commander already printed the message
  }
  err = fsError(err) ?? err;
  if (err instanceof RegctlError) {
    io.stderr.write(`${prefix} ${terminalSafe(err.message)}\n`);
    const said = cliHint(err);
    if (said) io.stderr.write(`${hint} ${terminalSafe(said)}\n`);
    if (global.debug) io.stderr.write(`${err.stack ?? ''}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`${prefix} internal error: ${terminalSafe(message)}\n`);
  if (global.debug && err instanceof Error) io.stderr.write(`${err.stack ?? ''}\n`);
  return ExitCode.failure;
}

/**
 * The hint as the CLI gives it: the library's says what to do in words; by the error's code, the CLI names the
 * command or flag that does it.
 */
function cliHint(err: RegctlError): string | undefined {
  const host = err.host;
  switch (err.code) {
    case 'ERR_UNAUTHORIZED':
      return host ? `${err.hint ?? 'log in first'}: regctl login ${host}` : err.hint;
    case 'ERR_PLAIN_HTTP':
      return host ? `use --insecure, or mark it insecure in regctl's config ("registries": {"${host}": {"insecure": true}})` : err.hint;
    case 'ERR_TLS':
      return host ? `trust the registry's CA (put it in /etc/docker/certs.d/${host}/ca.crt or set "ca" in regctl's config), or use --insecure` : err.hint;
    case 'ERR_IMAGE_NOT_FOUND':
      return err.hint
        ?.replace(/^pull (\S+) into the local store first$/, 'pull it first: regctl pull $1')
        .replace(/^list the local store's images for their names and IDs$/, 'see the names and IDs with: regctl images');
    case 'ERR_TIMEOUT':
      return err.option === 'timeoutMs' ? 'raise --timeout, or check that the registry answers' : err.hint;
    default:
      return err.hint;
  }
}

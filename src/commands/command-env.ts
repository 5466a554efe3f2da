import type { Command } from 'commander';
import type { Readable, Writable } from 'node:stream';
import type { NodeRuntime } from '../oci/platform.js';
import type { Context } from '../api/context.js';
import type { Env } from '../util/env.js';

/** The outside world as the CLI sees it; bin.ts fills it from `process`. */
export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  env: Env;
  homedir: string;
  /** The machine (`process`): its platform is the default one pulled and saved. */
  runtime: NodeRuntime;
}

export interface GlobalOptions {
  debug?: boolean;
  insecure?: boolean;
  /** `--timeout DURATION`: a time limit for the command's network work. */
  timeout?: string;
  /** false with --no-cache */
  cache?: boolean;
}

/** What a command handler gets: the streams, the global flags and a lazily built library context. */
export interface CommandEnv {
  io: Io;
  global: GlobalOptions;
  context(): Promise<Context>;
  /** Writes `regctl: <message>` lines to stderr (warnings and status, never data). */
  warn(message: string): void;
  /** The exit status of a command that ends without an error but with an answer of its own (`diff`: 1 when the
   * images differ, as diff(1)); 0 when left unset. */
  exitCode?: number;
  /** Colour allowed: stderr is a terminal and NO_COLOR is not set. */
  color: boolean;
  /** Every command as commander holds it (cli.ts's commandTree), for `completion`. */
  commandTree?(): Promise<Command>;
}

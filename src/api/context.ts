import { CancelledError, RegctlError, TimeoutError, UsageError } from '../errors.js';
import type { OpsContext, Warning } from '../ops/context.js';
import { createContext as buildContext, type ContextOptions as BuildOptions } from '../ops/create-context.js';
import { fsError } from '../util/fs-error.js';
import { processEnvironment } from './environment.js';
import { boolean, checkOptions, func, object, positive, signal as signalCheck, string, strings, type Schema } from './options.js';

/** What operations run in: regctl's config, the credential store and one transport (connection pools, tokens). */
export interface Context extends OpsContext {
  /** Closes the connection pools. A context made by createContext must be closed; one made implicitly is. */
  close(): Promise<void>;
}

/**
 * Settings of a context. Everything is optional: `env`, `homedir` and `runtime` default to this process's
 * (process.env, os.homedir(), process.platform/arch), as the CLI takes them.
 */
export interface ContextOptions extends Partial<BuildOptions> {}

export type { Warning } from '../ops/context.js';

/** Options every operation takes: run in this `context` (kept open), or in one made from these settings (closed after). */
export interface CallOptions extends Omit<ContextOptions, 'signal' | 'onWarning'> {
  /** Warnings of the operation and of its context's transport, each kind of the latter once. */
  onWarning?: ((warning: Warning) => void) | undefined;
  /** Run in this context; it stays open for the next operation. Without it, each call makes and closes its own. */
  context?: OpsContext;
  /** Cancels the operation: pending requests are aborted and it rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** A context to run several operations in, sharing connections and tokens; close it when done. */
export async function createContext(opts: ContextOptions = {}): Promise<Context> {
  const ctx = await buildContext({ ...processEnvironment(), ...definedOnly(opts) });
  return Object.assign(ctx, { close: () => ctx.transport.close() });
}

/** The checks of the options every operation takes (CallOptions). */
export const CALL_OPTIONS: Schema = {
  context: (v, name) => {
    if (typeof v !== 'object' || !v || !('transport' in v)) throw new UsageError(`option ${name}: want a context of createContext()`, { option: name });
    return v;
  },
  signal: signalCheck,
  onWarning: func,
  env: (v, name) => checkEnv(v, name),
  homedir: string,
  runtime: object({ platform: string, arch: string, version: string, armVersion: string }),
  insecure: boolean,
  debug: func,
  certsDirs: strings,
  timeouts: object({ connect: positive, headers: positive, body: positive }),
  timeoutMs: positive,
  noCache: boolean,
  lookup: func,
};

/** Settings that make a context: given with `context`, they would be dropped, so they are refused. */
const CONTEXT_SETTINGS = ['env', 'homedir', 'runtime', 'insecure', 'debug', 'certsDirs', 'timeouts', 'noCache', 'lookup'];

function checkEnv(v: unknown, name: string): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => x === undefined || typeof x === 'string')) {
    throw new UsageError(`option ${name}: want an object of strings (environment variables)`, { option: name });
  }
  return v;
}

/**
 * The door of every exported operation: checks `options` against the call options and the operation's own `schema`
 * (UsageError naming the option, before anything runs), runs `work` with the checked operation options in the
 * caller's context or one of its own, and turns whatever it throws into a RegctlError (cancellation included).
 */
export async function operation<T, O = Record<string, unknown>>(options: unknown, schema: Schema, work: (ctx: OpsContext, opts: O) => Promise<T>): Promise<T> {
  const checked = checkOptions(options, { ...CALL_OPTIONS, ...schema });
  const call: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(checked)) (Object.hasOwn(CALL_OPTIONS, key) && !Object.hasOwn(schema, key) ? call : own)[key] = value;
  if (call.context) {
    const given = CONTEXT_SETTINGS.filter((k) => call[k] !== undefined);
    if (given.length) {
      throw new UsageError(`option ${given[0]}: a setting of the context, not of one call: give it to createContext(), or leave out context`, { option: given[0]! });
    }
  }
  const callSignal = call.signal as AbortSignal | undefined;
  try {
    return await withContext(call as CallOptions, (ctx) => work(ctx, own as O));
  } catch (err) {
    throw libraryError(err, callSignal);
  }
}

/** Any failure as a RegctlError: cancellation (CancelledError, TimeoutError for a time limit), file-system errors, the rest ERR_INTERNAL. */
export function libraryError(err: unknown, signal?: AbortSignal): RegctlError {
  if (err instanceof RegctlError) return err;
  const fs = fsError(err);
  if (fs) return fs;
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  if (name === 'TimeoutError') return new TimeoutError('the time limit ran out', { cause: err });
  if (name === 'AbortError' || signal?.aborted) {
    const reason: unknown = signal?.reason ?? err;
    if (reason instanceof RegctlError) return reason;
    if (reason instanceof DOMException && reason.name === 'TimeoutError') return new TimeoutError('the time limit ran out', { cause: reason });
    return new CancelledError('cancelled', { cause: reason });
  }
  return new RegctlError('ERR_INTERNAL', err instanceof Error ? err.message : String(err), 1, { cause: err });
}

/**
 * Runs `work` in the caller's context (with `signal` added to it) or in a context of its own, made from the call's
 * settings and the process's defaults and closed afterwards, so a script that awaits an operation exits by itself.
 */
export async function withContext<T>(opts: CallOptions, work: (ctx: OpsContext) => Promise<T>): Promise<T> {
  const { context, signal, ...settings } = opts;
  signal?.throwIfAborted();
  if (context) {
    return work(signal ? { ...context, transport: context.transport.derive({ signal }) } : context);
  }
  const ctx = await createContext({ ...settings, ...(signal ? { signal } : {}) });
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}

/** The call's options without the context settings (what the operation itself takes). */
export function operationOptions<O extends object>(opts: O & CallOptions): Omit<O, keyof CallOptions> {
  const rest: Record<string, unknown> = { ...(opts as Record<string, unknown>) };
  for (const key of CALL_KEYS) delete rest[key];
  return rest as Omit<O, keyof CallOptions>;
}

const CALL_KEYS = Object.keys(CALL_OPTIONS);

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

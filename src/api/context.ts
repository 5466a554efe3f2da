import { X509Certificate } from 'node:crypto';
import { baseUrl } from '../config/regctl-settings.js';
import { CancelledError, RegctlError, TimeoutError, UsageError } from '../errors.js';
import type { OpsContext, Warning } from '../ops/context.js';
import { createContext as buildContext, type ContextOptions as BuildOptions } from '../ops/create-context.js';
import { fsError } from '../util/fs-error.js';
import { processEnvironment } from './environment.js';
import { boolean, checkOptions, func, number, object, positive, signal as signalCheck, string, strings, wrongType, type Check, type Schema } from './options.js';

export type { NetworkOptions } from '../ops/create-context.js';
export type { RegistrySettings } from '../config/regctl-settings.js';

/** What operations run in: regctl's config, the credential store and one transport (connection pools, tokens). */
export interface Context extends OpsContext {
  /** Closes the connection pools. A context made by createContext must be closed; one made implicitly is. */
  close(): Promise<void>;
  /** close(), for `await using ctx = await createContext(…)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Settings of a context. Everything is optional: `env`, `homedir` and `runtime` default to this process's
 * (process.env, os.homedir(), process.platform/arch), as the CLI takes them.
 */
export interface ContextOptions extends Partial<BuildOptions> {}

export type { Warning } from '../ops/context.js';

/**
 * Options every operation takes: run in this `context` (kept open), or in one made from these settings (closed after);
 * `signal` and `timeoutMs` bound this call, in either.
 */
export interface CallOptions extends Omit<ContextOptions, 'signal' | 'onWarning'> {
  /** Warnings of the operation and of its context's transport, each kind of the latter once. */
  onWarning?: ((warning: Warning) => void) | undefined;
  /** Run in this context; it stays open for the next operation. Without it, each call makes and closes its own. */
  context?: OpsContext;
  /** Cancels the operation: pending requests are aborted and it rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** The time limit of this call, in ms (the context's when not given): past it, it rejects with a TimeoutError. */
  timeoutMs?: number | undefined;
}

/** A context to run several operations in, sharing connections and tokens; close it when done (or `await using` it). */
export async function createContext(opts: ContextOptions = {}): Promise<Context> {
  const checked = checkOptions(opts, CONTEXT_OPTIONS) as ContextOptions;
  const ctx = await buildContext({ ...processEnvironment(), ...checked });
  const close = () => ctx.transport.close();
  return Object.assign(ctx, { close, [Symbol.asyncDispose]: close });
}

/** A CA as PEM text: one or several certificates. */
const pem: Check = (v, name) => {
  if (typeof v !== 'string' || !v.includes('-----BEGIN CERTIFICATE-----')) throw wrongType(name, 'PEM text of a CA certificate (-----BEGIN CERTIFICATE-----…)', v);
  try {
    new X509Certificate(v);
  } catch (err) {
    throw new UsageError(`option ${name}: not a valid PEM certificate: ${err instanceof Error ? err.message : String(err)}`, { option: name, cause: err });
  }
  return v;
};

/** An http(s) base URL, as regctl's config file takes it. */
const url: Check = (v, name) => baseUrl(v, `option ${name}`, (message) => new UsageError(message, { option: name }));

/** One registry's settings given inline (RegistrySettings). */
const REGISTRY_SETTINGS: Schema = {
  endpoint: url,
  search: url,
  insecure: boolean,
  ca: pem,
  mirrors: (v, name) => (strings(v, name) as string[]).map((m, i) => url(m, `${name}[${i}]`)),
};

/** `{ 'HOST[:PORT]': RegistrySettings }`. */
const registries: Check = (v, name) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw wrongType(name, 'an object of registry settings by HOST[:PORT]', v);
  return Object.fromEntries(Object.entries(v).map(([host, settings]) => [host, checkOptions(settings, REGISTRY_SETTINGS, `${name}[${JSON.stringify(host)}].`)]));
};

/** The machine (`process` will do): its platform and arch. */
const runtime: Check = (v, name) => {
  const r = v as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || typeof r.platform !== 'string' || typeof r.arch !== 'string') throw wrongType(name, 'a runtime ({ platform, arch }, as process)', v);
  return v;
};

/** The settings of a context, checked as the door checks an operation's options: by createContext, or by a call making its own. */
const CONTEXT_OPTIONS: Schema = {
  env: (v, name) => checkEnv(v, name),
  homedir: string,
  runtime,
  insecure: boolean,
  debug: func,
  certsDirs: strings,
  onWarning: func,
  timeouts: object({ connectMs: positive, headersMs: positive, idleMs: positive }),
  timeoutMs: positive,
  signal: signalCheck,
  network: object({ dnsLookup: func }),
  noCache: boolean,
  registries,
  storePath: string,
  retry: object({ attempts: positive, baseDelayMs: number, maxDelayMs: number, maxRetryAfterMs: number }),
  blobConcurrency: positive,
};

/** The checks of the options every operation takes (CallOptions). */
export const CALL_OPTIONS: Schema = {
  ...CONTEXT_OPTIONS,
  context: (v, name) => {
    if (typeof v !== 'object' || !v || !('transport' in v)) throw new UsageError(`option ${name}: want a context of createContext()`, { option: name });
    return v;
  },
};

/** Settings that make a context: given with `context`, they would be dropped, so they are refused. */
const CONTEXT_SETTINGS = Object.keys(CONTEXT_OPTIONS).filter((k) => !['signal', 'timeoutMs', 'onWarning'].includes(k));

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
    // the call's transport signal: the caller's, the context's own or the time limit, whichever stopped the work
    return await withContext(call as CallOptions, (ctx) => work(ctx, own as O).catch((err: unknown) => Promise.reject(libraryError(err, ctx.transport.signal))));
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
 * Runs `work` in the caller's context or in a context of its own, made from the call's settings and the process's
 * defaults and closed afterwards (so a script that awaits an operation exits by itself). Either way the work gets a
 * transport of its own for the call: `signal` and the time limit (`timeoutMs`, else the context's) end it, and
 * nothing of the call stays in a shared context once it is over.
 */
export async function withContext<T>(opts: CallOptions, work: (ctx: OpsContext) => Promise<T>): Promise<T> {
  const { context, signal, timeoutMs, ...settings } = opts;
  signal?.throwIfAborted();
  const ctx = context ?? await createContext(contextSettings(settings));
  const call = ctx.transport.call({ signal, timeoutMs });
  try {
    return await work({ ...ctx, transport: call.transport });
  } finally {
    call.end();
    if (!context) await ctx.transport.close();
  }
}

/** The settings of a context among a call's options (which hold the operation's own too). */
function contextSettings(options: object): ContextOptions {
  return Object.fromEntries(Object.entries(options).filter(([k]) => Object.hasOwn(CONTEXT_OPTIONS, k))) as ContextOptions;
}

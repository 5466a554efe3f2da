import type { OpsContext } from '../ops/context.js';
import { createContext as buildContext, type ContextOptions as BuildOptions } from '../ops/create-context.js';
import { processEnvironment } from './environment.js';

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

/** Something the user should hear about (a pull rate limit running low, a format caveat); the library never prints. */
export interface Warning {
  code: string;
  message: string;
}

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

const CALL_KEYS: ReadonlyArray<keyof CallOptions> = [
  'context', 'signal', 'env', 'homedir', 'runtime', 'insecure', 'debug', 'certsDirs', 'onWarning', 'timeouts', 'timeoutMs', 'noCache',
];

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

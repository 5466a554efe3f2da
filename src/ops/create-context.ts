import type { LookupFunction } from 'node:net';
import { CredentialStore } from '../auth/store.js';
import { loadConfig } from '../config/regctl-config.js';
import { hostPlatform, type NodeRuntime } from '../oci/platform.js';
import { cacheDir } from '../transport/cache.js';
import { packageVersion } from '../util/version.js';
import { deadlineSignal, type Timeouts } from '../transport/timeouts.js';
import { Transport, type TransportWarning } from '../transport/transport.js';
import type { Env } from '../util/env.js';
import type { OpsContext } from './context.js';

export interface ContextOptions {
  env: Env;
  homedir: string;
  /** The machine regctl runs on (`process` will do): its platform is pulled and saved by default. */
  runtime: NodeRuntime;
  insecure?: boolean;
  debug?: (line: string) => void;
  certsDirs?: string[];
  /** Warnings for the user (a low pull rate limit), each kind at most once; the library never prints them itself. */
  onWarning?: (warning: TransportWarning) => void;
  /** Connect, headers and idle-body timeouts, in ms (defaults: 30 s, 60 s, 60 s). */
  timeouts?: Partial<Timeouts>;
  /** A time limit for every request of this context, in ms (`--timeout`); or a signal of one's own. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Name resolution for every connection (default: the system's): a resolver stub, in tests. */
  lookup?: LookupFunction;
  /** Do not keep pings and tokens between runs (`--no-cache`; also REGCTL_NO_CACHE=1 in env). */
  noCache?: boolean;
}

/** Builds the library context: regctl's config, the docker credential store and one transport. */
export async function createContext(opts: ContextOptions): Promise<OpsContext> {
  const config = await loadConfig(opts.env, opts.homedir);
  if (config.ignored) opts.onWarning?.({ code: 'CONFIG_IGNORED', message: config.ignored });
  const credentials = new CredentialStore({ env: opts.env, homedir: opts.homedir });
  const signal = opts.signal ?? (opts.timeoutMs ? deadlineSignal(opts.timeoutMs) : undefined);
  const cache = opts.noCache ? undefined : cacheDir(opts.env, opts.homedir);
  const transport = new Transport({
    env: opts.env,
    homedir: opts.homedir,
    config,
    credentials,
    insecure: opts.insecure ?? false,
    userAgent: `regctl/${packageVersion()}`,
    ...(opts.debug ? { debug: opts.debug } : {}),
    ...(opts.certsDirs ? { certsDirs: opts.certsDirs } : {}),
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
    ...(signal ? { signal } : {}),
    ...(cache ? { cacheDir: cache } : {}),
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  });
  return { env: opts.env, homedir: opts.homedir, platform: hostPlatform(opts.runtime), config, credentials, transport };
}

import type { LookupFunction } from 'node:net';
import { CredentialStore } from '../auth/store.js';
import { loadSettings, withRegistrySettings, type RegistrySettings } from '../config/regctl-settings.js';
import { hostPlatform, type NodeRuntime } from '../oci/platform.js';
import { storePath } from '../store/store.js';
import { cacheDir } from '../transport/cache.js';
import { defaultRetryPolicy, type RetryPolicy } from '../transport/retry.js';
import type { Timeouts } from '../transport/timeouts.js';
import { Transport, type TransportWarning } from '../transport/transport.js';
import type { Env } from '../util/env.js';
import { Limiter } from '../util/limiter.js';
import { packageVersion } from '../util/version.js';
import type { OpsContext } from './context.js';

/** How a context reaches the network, beyond the registries' own settings. */
export interface NetworkOptions {
  /** Resolves host names for every connection, as `dns.lookup` does (the default): a stub in tests, a custom resolver. */
  dnsLookup?: LookupFunction;
}

export interface ContextOptions {
  env: Env;
  homedir: string;
  /** The machine regctl runs on (`process` will do): its platform is pulled and saved by default. */
  runtime: NodeRuntime;
  /** Allow plain http and skip TLS verification for every registry. */
  insecure?: boolean;
  debug?: (line: string) => void;
  certsDirs?: string[];
  /** Warnings for the user (a low pull rate limit), each kind at most once; the library never prints them itself. */
  onWarning?: (warning: TransportWarning) => void;
  /** Connect, headers and idle-body timeouts, in ms (defaults: 30 s, 60 s, 60 s). */
  timeouts?: Partial<Timeouts>;
  /** The time limit of each call made in this context, in ms: the whole call. */
  timeoutMs?: number;
  /** Aborts every call made in this context. */
  signal?: AbortSignal;
  network?: NetworkOptions;
  /** Do not keep pings and tokens between runs (also REGCTL_NO_CACHE=1 in env). */
  noCache?: boolean;
  /** Settings per registry (HOST[:PORT]), over those of regctl's config file: a CA as PEM text, insecure, mirrors. */
  registries?: Record<string, RegistrySettings>;
  /** The local image store's folder (default `$REGCTL_STORE`, else `${XDG_DATA_HOME:-~/.local/share}/regctl/store`). */
  storePath?: string;
  /** How requests are retried (connection resets, 408, 429, 5xx): each field over the default. */
  retry?: Partial<RetryPolicy>;
  /** At most this many blobs in flight across every call of the context (each call's `jobs` applies within it). */
  blobConcurrency?: number;
}

/** Builds the library context: regctl's settings (its config file, and the registries given inline), the docker credential store, one transport. */
export async function createContext(opts: ContextOptions): Promise<OpsContext> {
  const file = await loadSettings(opts.env, opts.homedir);
  if (file.ignored) opts.onWarning?.({ code: 'CONFIG_IGNORED', message: file.ignored });
  const settings = opts.registries ? withRegistrySettings(file, opts.registries) : file;
  const credentials = new CredentialStore({ env: opts.env, homedir: opts.homedir });
  const cache = opts.noCache ? undefined : cacheDir(opts.env, opts.homedir);
  const transport = new Transport({
    env: opts.env,
    homedir: opts.homedir,
    settings,
    credentials,
    insecure: opts.insecure ?? false,
    userAgent: `regctl/${packageVersion()}`,
    ...(opts.debug ? { debug: opts.debug } : {}),
    ...(opts.certsDirs ? { certsDirs: opts.certsDirs } : {}),
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.retry ? { retry: { ...defaultRetryPolicy, ...opts.retry } } : {}),
    ...(cache ? { cacheDir: cache } : {}),
    ...(opts.network?.dnsLookup ? { dnsLookup: opts.network.dnsLookup } : {}),
  });
  return {
    env: opts.env,
    homedir: opts.homedir,
    platform: hostPlatform(opts.runtime),
    settings,
    credentials,
    transport,
    storePath: opts.storePath ?? storePath(opts.env, opts.homedir),
    ...(opts.blobConcurrency ? { blobs: new Limiter(opts.blobConcurrency) } : {}),
  };
}

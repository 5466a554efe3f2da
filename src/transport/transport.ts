import type { LookupFunction } from 'node:net';
import type { Dispatcher } from 'undici';
import type { Credential, CredentialSource } from '../auth/credential.js';
import type { RegctlSettings, RegistryEntry } from '../config/regctl-settings.js';
import type { Env } from '../util/env.js';
import { TransportCache } from './cache.js';
import { resolveEndpoint, type Endpoint } from './endpoint.js';
import type { HttpContext } from './http.js';
import { RegistryClient } from './registry-client.js';
import { RegistryState } from './registry-state.js';
import { formatWindow, rateLimitLow, type RateLimit } from './ratelimit.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry.js';
import { deadlineSignal, defaultTimeouts, timeLimitError, type Timeouts } from './timeouts.js';
import { linkedSignal } from '../util/signals.js';

export interface TransportOptions {
  env: Env;
  homedir: string;
  settings: RegctlSettings;
  credentials: CredentialSource;
  /** Treat every registry as insecure (`--insecure`). */
  insecure?: boolean;
  userAgent?: string;
  retry?: RetryPolicy;
  /** Roots of HOST[:PORT]/*.crt CA folders; defaults to docker's and containers' certs.d. */
  certsDirs?: string[];
  debug?: (line: string) => void;
  /** Warnings for the user (a low pull rate limit), each kind at most once per process. */
  onWarning?: (warning: TransportWarning) => void;
  /** Connect, headers and idle-body timeouts (defaults in timeouts.ts). */
  timeouts?: Partial<Timeouts>;
  /** Aborts every request of every call (the context's own signal). */
  signal?: AbortSignal;
  /**
   * The time limit of each call (see call()), in ms: the whole call, every request, retry and wait in it. Requests
   * made on this transport itself, outside any call, count it from the transport's creation.
   */
  timeoutMs?: number;
  /** Keep pings and bearer tokens here between processes (cache.ts); none when undefined. */
  cacheDir?: string;
  /** Name resolution for every connection (default: the system's); a resolver stub in tests. */
  dnsLookup?: LookupFunction;
  /** The option the credentials were given as (`credentials`, `sourceCredentials`, …), for errors that name it. */
  credentialsOption?: string;
}

export interface TransportWarning {
  /** RATE_LIMIT_LOW: Docker Hub's pull limit is nearly used up; SKIPPED: something a registry sent was left out;
   * CONFIG_IGNORED: a config file that is not regctl's (regclient's) was not read. */
  code: 'RATE_LIMIT_LOW' | 'SKIPPED' | 'CONFIG_IGNORED';
  message: string;
}

/** A connection pool, and how to give up the connections it is still making. */
interface Pool {
  dispatcher: Dispatcher;
  abandon(): void;
}

/**
 * What a transport shares with every transport derived from it (a call's, a side's of a transfer): one connection
 * pool per registry and TLS settings, what each registry endpoint taught (its ping, its tokens), the warnings
 * already given, the disk cache, and the context's signal. Nothing of one call is kept here.
 */
interface Shared {
  pools: Map<string, Promise<Pool>>;
  registries: Map<string, RegistryState>;
  warned: Set<string>;
  cache: TransportCache | undefined;
  /** The context's signal (a copy any number of requests may listen to). */
  signal: AbortSignal | undefined;
  /** Lets go of the caller's signal (its one listener), at close(). */
  unlink(): void;
}

/** Owns the connection pools of a context, and the registry clients of one call (or of the context itself). */
export class Transport {
  private readonly opts: TransportOptions;
  /** Promises, so that callers asking at once (a batch of images) share one client. */
  private readonly clients = new Map<string, Promise<RegistryClient>>();
  private readonly shared: Shared;
  /** What this transport's requests stop on: the call's signal (or the context's), the call's time limit. */
  readonly signal: AbortSignal | undefined;

  constructor(opts: TransportOptions, from?: { shared: Shared; signal: AbortSignal | undefined }) {
    this.opts = opts;
    if (from) {
      this.shared = from.shared;
      this.signal = from.signal;
      return;
    }
    const own = opts.signal ? linkedSignal([opts.signal]) : undefined;
    const limited = opts.timeoutMs ? linkedSignal([own?.signal, deadlineSignal(opts.timeoutMs)]) : undefined;
    const unlink = () => {
      limited?.end();
      own?.end();
    };
    this.shared = { pools: new Map(), registries: new Map(), warned: new Set(), cache: opts.cacheDir ? new TransportCache(opts.cacheDir) : undefined, signal: own?.signal, unlink };
    this.signal = limited?.signal ?? own?.signal;
  }

  /**
   * A transport for one call, sharing this one's pools and tokens: its requests stop when `signal` aborts, when the
   * context's does, or when the time limit (`timeoutMs`, else the context's) runs out, counted from now. Call `end()`
   * when the call is over: it lets go of the signals, and nothing of the call stays in the context.
   */
  call(opts: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {}): { transport: Transport; end(): void } {
    const ms = opts.timeoutMs ?? this.opts.timeoutMs;
    const linked = linkedSignal([this.shared.signal, opts.signal], ms ? { ms, reason: () => timeLimitError(ms) } : undefined);
    return { transport: new Transport(this.opts, { shared: this.shared, signal: linked.signal }), end: linked.end };
  }

  /** A transport with its own clients that look credentials up in `credentials` (per-command credentials). */
  withCredentials(credentials: CredentialSource): Transport {
    return this.derive({ credentials: () => credentials });
  }

  /**
   * A transport with its own clients, for registries with settings of their own (a sync file's `tls-verify`,
   * `cert-dir`, `credentials`): `registries` apply over the configured settings of those hosts, `credentials`
   * wraps this transport's credential lookup (given as the option `credentialsOption`, for errors). It shares this
   * transport's pools (those its settings leave unchanged), tokens and signal.
   */
  derive(change: { registries?: Record<string, RegistryEntry>; credentials?: (current: CredentialSource) => CredentialSource; credentialsOption?: string }): Transport {
    const registries = { ...this.opts.settings.registries };
    for (const [host, cfg] of Object.entries(change.registries ?? {})) registries[host] = { ...registries[host], ...cfg };
    return new Transport({
      ...this.opts,
      settings: { ...this.opts.settings, registries },
      ...(change.credentials ? { credentials: change.credentials(this.opts.credentials) } : {}),
      ...(change.credentialsOption ? { credentialsOption: change.credentialsOption } : {}),
    }, { shared: this.shared, signal: this.signal });
  }

  /** The client for a registry host (`docker.io`, `localhost:5000`), shared by this transport's callers. */
  client(registry: string): Promise<RegistryClient> {
    return this.once(registry, () => this.newClient(registry));
  }

  /** Clients for the pull-through mirrors configured for a registry, in order (credentials by mirror host). */
  mirrorClients(registry: string): Promise<RegistryClient[]> {
    const mirrors = this.opts.settings.registries[registry]?.mirrors ?? [];
    return Promise.all(mirrors.map((mirror) => this.once(`mirror ${mirror}`, () => this.newClient(new URL(mirror).host, { endpoint: mirror }))));
  }

  /** A client that uses the given credentials instead of the store's and shares no ping or token (login). */
  loginClient(registry: string, credential: Credential): Promise<RegistryClient> {
    return this.newClient(registry, { credential });
  }

  /** Plain HTTP (no registry auth) towards a base URL, with the same TLS settings as the registry (search). */
  async http(registry: string): Promise<HttpContext> {
    const endpoint = resolveEndpoint(registry, this.opts.settings.registries[registry], this.opts.insecure ?? false);
    const { pool } = await this.pool(endpoint.host, endpoint.tlsVerify, registry);
    return this.httpContext(pool, this.signal);
  }

  /** Closes every pool of the context (connections still being made are given up). */
  async close(): Promise<void> {
    this.shared.unlink();
    const pools = await Promise.all([...this.shared.pools.values()].map((p) => p.catch(() => undefined)));
    this.shared.pools.clear();
    this.shared.registries.clear();
    await Promise.all(pools.map((pool) => {
      pool?.abandon();
      return pool?.dispatcher.close();
    }));
  }

  private once(key: string, make: () => Promise<RegistryClient>): Promise<RegistryClient> {
    let client = this.clients.get(key);
    if (!client) {
      client = make();
      this.clients.set(key, client);
      client.catch(() => this.clients.delete(key));
    }
    return client;
  }

  /** `endpoint` overrides where the API is reached (a mirror); the host's own config applies otherwise. */
  private async newClient(registry: string, opts: { credential?: Credential; endpoint?: string } = {}): Promise<RegistryClient> {
    const cfg = { ...this.opts.settings.registries[registry], ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) };
    const endpoint = resolveEndpoint(registry, cfg, this.opts.insecure ?? false);
    const { key, pool } = await this.pool(endpoint.host, endpoint.tlsVerify, registry);
    // login checks credentials against the registry itself: no remembered ping or token, nothing left for others
    const state = opts.credential ? new RegistryState(endpoint, this.httpContext(pool, this.shared.signal)) : this.registryState(key, endpoint, pool);
    return new RegistryClient(state, {
      http: this.httpContext(pool, this.signal), credentials: this.opts.credentials, credential: opts.credential,
      onRateLimit: (rl) => this.rateLimited(registry, rl),
      onWarning: (message) => this.opts.onWarning?.({ code: 'SKIPPED', message }),
      ...(this.opts.credentialsOption ? { credentialsOption: this.opts.credentialsOption } : {}),
    });
  }

  /** What every call knows of an endpoint reached through a pool; its own requests stop on the context's signal only. */
  private registryState(poolKey: string, endpoint: Endpoint, pool: Pool): RegistryState {
    const key = JSON.stringify([poolKey, endpoint.candidates.map((c) => c.href)]);
    let state = this.shared.registries.get(key);
    if (!state) {
      state = new RegistryState(endpoint, this.httpContext(pool, this.shared.signal), this.shared.cache);
      this.shared.registries.set(key, state);
    }
    return state;
  }

  private rateLimited(registry: string, rl: RateLimit): void {
    if (!rateLimitLow(rl) || !this.opts.onWarning || this.shared.warned.has('RATE_LIMIT_LOW')) return;
    this.shared.warned.add('RATE_LIMIT_LOW');
    const of = rl.limit !== undefined ? ` of ${rl.limit}` : '';
    const per = rl.window !== undefined ? ` per ${formatWindow(rl.window)}` : '';
    const source = rl.source ? ` (counted for ${rl.source})` : '';
    this.opts.onWarning({ code: 'RATE_LIMIT_LOW', message: `${registry}: pull rate limit running low: ${rl.remaining} pulls left${of}${per}${source}` });
  }

  /**
   * The pool for `host` with these TLS settings, shared by every transport of the context whose settings are the same
   * (whatever its credentials or signal), so a context keeps one pool per registry however many calls it serves.
   */
  private pool(host: string, tlsVerify: boolean, registry: string): Promise<{ key: string; pool: Pool }> {
    const key = JSON.stringify([host, tlsVerify, registry, this.opts.insecure ?? false, this.opts.settings.registries]);
    let pool = this.shared.pools.get(key);
    if (!pool) {
      pool = this.newPool(host, tlsVerify, registry);
      this.shared.pools.set(key, pool);
      pool.catch(() => this.shared.pools.delete(key));
    }
    return pool.then((p) => ({ key, pool: p }));
  }

  private async newPool(host: string, tlsVerify: boolean, registry: string): Promise<Pool> {
    // undici comes in with the first connection pool: commands that never reach a registry do not load it.
    const [{ createDispatcher, defaultCertsDirs, registryCAs, tlsOptions }, { guardedConnector }] = await Promise.all([import('./dispatcher.js'), import('./connector.js')]);
    const certsDirs = this.opts.certsDirs ?? defaultCertsDirs(this.opts.homedir);
    const timeouts = this.timeouts;
    const tls = tlsOptions(await registryCAs(host, certsDirs, this.opts.settings.registries[registry]), !tlsVerify);
    // Another host this registry sends us to (a token realm, a redirect) is verified with that host's own settings.
    const tlsFor = async (hostPort: string) => {
      if (hostPort === host) return tls;
      const other = this.opts.settings.registries[hostPort];
      return tlsOptions(await registryCAs(hostPort, certsDirs, other), (this.opts.insecure ?? false) || other?.insecure === true);
    };
    const connector = guardedConnector({
      registry: host, tlsFor, timeoutMs: timeouts.connectMs, ...(this.opts.dnsLookup ? { dnsLookup: this.opts.dnsLookup } : {}),
    });
    const dispatcher = createDispatcher({ tls, env: this.opts.env, connectTimeoutMs: timeouts.connectMs, connector: connector.connect });
    return { dispatcher, abandon: connector.abandon };
  }

  private get timeouts(): Timeouts {
    return { ...defaultTimeouts, ...this.opts.timeouts };
  }

  private httpContext(pool: Pool, signal: AbortSignal | undefined): HttpContext {
    return {
      dispatcher: pool.dispatcher,
      timeouts: this.timeouts,
      ...(signal ? { signal } : {}),
      retry: this.opts.retry ?? defaultRetryPolicy,
      userAgent: this.opts.userAgent ?? 'regctl',
      ...(this.opts.debug ? { debug: this.opts.debug } : {}),
    };
  }
}

import type { LookupFunction } from 'node:net';
import type { Dispatcher } from 'undici';
import type { Credential, CredentialSource } from '../auth/credential.js';
import type { RegctlConfig, RegistryConfig } from '../config/regctl-config.js';
import type { Env } from '../util/env.js';
import { TransportCache } from './cache.js';
import { resolveEndpoint } from './endpoint.js';
import type { HttpContext } from './http.js';
import { RegistryClient } from './registry-client.js';
import { formatWindow, rateLimitLow, type RateLimit } from './ratelimit.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry.js';
import { defaultTimeouts, type Timeouts } from './timeouts.js';

export interface TransportOptions {
  env: Env;
  homedir: string;
  config: RegctlConfig;
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
  /** Aborts every request when the command's time limit runs out (see deadlineSignal). */
  signal?: AbortSignal;
  /** Keep pings and bearer tokens here between processes (cache.ts); none when undefined. */
  cacheDir?: string;
  /** Name resolution for every connection (default: the system's); a resolver stub in tests. */
  lookup?: LookupFunction;
}

export interface TransportWarning {
  /** RATE_LIMIT_LOW: Docker Hub's pull limit is nearly used up; SKIPPED: something a registry sent was left out;
   * CONFIG_IGNORED: a config file that is not regctl's (regclient's) was not read. */
  code: 'RATE_LIMIT_LOW' | 'SKIPPED' | 'CONFIG_IGNORED';
  message: string;
}

export const CLIENT_ID = 'regctl';

/** Owns the connection pools and registry clients of one process. */
export class Transport {
  private readonly opts: TransportOptions;
  /** Promises, so that callers asking at once (a batch of images) share one client and so one ping. */
  private readonly clients = new Map<string, Promise<RegistryClient>>();
  /** Shared with the transports made by derive: one close() ends every pool, a warning shows once, one cache. */
  private readonly common: { dispatchers: Dispatcher[]; warned: Set<string>; cache: TransportCache | undefined };

  constructor(opts: TransportOptions, common?: Transport['common']) {
    this.opts = opts;
    this.common = common ?? { dispatchers: [], warned: new Set(), cache: opts.cacheDir ? new TransportCache(opts.cacheDir) : undefined };
  }

  /** The command's time limit (`--timeout`), for other connections of the command to honour (the Docker daemon's). */
  get signal(): AbortSignal | undefined {
    return this.opts.signal;
  }

  private get cache(): TransportCache | undefined {
    return this.common.cache;
  }

  /** A transport with its own clients that look credentials up in `credentials` (per-command credentials). */
  withCredentials(credentials: CredentialSource): Transport {
    return this.derive({ credentials: () => credentials });
  }

  /**
   * A transport with its own clients, for registries with settings of their own (a sync file's `tls-verify`,
   * `cert-dir`, `credentials`): `registries` apply over the configured settings of those hosts, `credentials`
   * wraps this transport's credential lookup, `signal` aborts its requests too (one operation's cancellation). Its
   * pools close with this transport's.
   */
  derive(change: { registries?: Record<string, RegistryConfig>; credentials?: (current: CredentialSource) => CredentialSource; signal?: AbortSignal }): Transport {
    const registries = { ...this.opts.config.registries };
    for (const [host, cfg] of Object.entries(change.registries ?? {})) registries[host] = { ...registries[host], ...cfg };
    return new Transport({
      ...this.opts,
      config: { ...this.opts.config, registries },
      ...(change.credentials ? { credentials: change.credentials(this.opts.credentials) } : {}),
      ...(change.signal ? { signal: this.opts.signal ? AbortSignal.any([this.opts.signal, change.signal]) : change.signal } : {}),
    }, this.common);
  }

  /** The client for a registry host (`docker.io`, `localhost:5000`), shared for the process. */
  client(registry: string): Promise<RegistryClient> {
    return this.shared(registry, () => this.newClient(registry));
  }

  /** Clients for the pull-through mirrors configured for a registry, in order (credentials by mirror host). */
  mirrorClients(registry: string): Promise<RegistryClient[]> {
    const mirrors = this.opts.config.registries[registry]?.mirrors ?? [];
    return Promise.all(mirrors.map((mirror) => this.shared(`mirror ${mirror}`, () => this.newClient(new URL(mirror).host, { endpoint: mirror }))));
  }

  /** A client that uses the given credentials instead of the store's and shares nothing (login). */
  loginClient(registry: string, credential: Credential): Promise<RegistryClient> {
    return this.newClient(registry, { credential });
  }

  /** Plain HTTP (no registry auth) towards a base URL, with the same TLS settings as the registry (search). */
  async http(registry: string): Promise<HttpContext> {
    const endpoint = resolveEndpoint(registry, this.opts.config.registries[registry], this.opts.insecure ?? false);
    return this.httpContext(endpoint.host, endpoint.tlsVerify, registry);
  }

  async close(): Promise<void> {
    await Promise.all(this.common.dispatchers.map((d) => d.close()));
  }

  private shared(key: string, make: () => Promise<RegistryClient>): Promise<RegistryClient> {
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
    const cfg = { ...this.opts.config.registries[registry], ...(opts.endpoint ? { endpoint: opts.endpoint } : {}) };
    const endpoint = resolveEndpoint(registry, cfg, this.opts.insecure ?? false);
    const http = await this.httpContext(endpoint.host, endpoint.tlsVerify, registry);
    return new RegistryClient(endpoint, {
      http, credentials: this.opts.credentials, clientId: CLIENT_ID, credential: opts.credential,
      onRateLimit: (rl) => this.rateLimited(registry, rl),
      onWarning: (message) => this.opts.onWarning?.({ code: 'SKIPPED', message }),
      // login checks credentials against the registry itself: no remembered ping or token
      ...(this.cache && !opts.credential ? { cache: this.cache } : {}),
    });
  }

  private rateLimited(registry: string, rl: RateLimit): void {
    if (!rateLimitLow(rl) || !this.opts.onWarning || this.common.warned.has('RATE_LIMIT_LOW')) return;
    this.common.warned.add('RATE_LIMIT_LOW');
    const of = rl.limit !== undefined ? ` of ${rl.limit}` : '';
    const per = rl.window !== undefined ? ` per ${formatWindow(rl.window)}` : '';
    const source = rl.source ? ` (counted for ${rl.source})` : '';
    this.opts.onWarning({ code: 'RATE_LIMIT_LOW', message: `${registry}: pull rate limit running low: ${rl.remaining} pulls left${of}${per}${source}` });
  }

  private async httpContext(host: string, tlsVerify: boolean, registry: string): Promise<HttpContext> {
    // undici comes in with the first connection pool: commands that never reach a registry do not load it.
    const [{ createDispatcher, defaultCertsDirs, registryCAs, tlsOptions }, { guardedConnector }] = await Promise.all([import('./dispatcher.js'), import('./connector.js')]);
    const certsDirs = this.opts.certsDirs ?? defaultCertsDirs(this.opts.homedir);
    const cfg = this.opts.config.registries[registry];
    const cas = await registryCAs(host, certsDirs, cfg?.ca, cfg?.certDir);
    const timeouts = { ...defaultTimeouts, ...this.opts.timeouts };
    const tls = tlsOptions(cas, !tlsVerify);
    // Another host this registry sends us to (a token realm, a redirect) is verified with that host's own settings.
    const tlsFor = async (hostPort: string) => {
      if (hostPort === host) return tls;
      const other = this.opts.config.registries[hostPort];
      return tlsOptions(await registryCAs(hostPort, certsDirs, other?.ca, other?.certDir), (this.opts.insecure ?? false) || other?.insecure === true);
    };
    const connector = guardedConnector({
      registry: host, tlsFor, timeoutMs: timeouts.connectMs,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}), ...(this.opts.lookup ? { lookup: this.opts.lookup } : {}),
    });
    const dispatcher = createDispatcher({ tls, env: this.opts.env, connectTimeoutMs: timeouts.connectMs, connector });
    this.common.dispatchers.push(dispatcher);
    return {
      dispatcher,
      timeouts,
      ...(this.opts.signal ? { signal: this.opts.signal } : {}),
      retry: this.opts.retry ?? defaultRetryPolicy,
      userAgent: this.opts.userAgent ?? 'regctl',
      ...(this.opts.debug ? { debug: this.opts.debug } : {}),
    };
  }
}

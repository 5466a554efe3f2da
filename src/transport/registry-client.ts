import type { Credential, CredentialSource } from '../auth/credential.js';
import { AuthError, NetworkError, RegistryError, type RegctlError } from '../errors.js';
import type { TransportCache, TokenKey } from './cache.js';
import { pickChallenge, parseChallenges, type Challenge } from './challenge.js';
import type { Endpoint } from './endpoint.js';
import { send, type HttpContext, type HttpRequest, type HttpResponse, type Method } from './http.js';
import { responseError } from './response-error.js';
import { parseRateLimit, type RateLimit } from './ratelimit.js';
import { mergeScopes } from './scope.js';
import { requestToken, type Token } from './token.js';
import { checkLocation, checkRealm } from './url-safety.js';

export interface RegistryRequest {
  method: Method;
  /** Path below the base URL, starting with /v2/ (may carry a query). */
  path?: string;
  /** Or a URL from a `Location` header (upload sessions), resolved against the base URL. Credentials are
   * sent only when it stays on the registry's origin. */
  location?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: HttpRequest['body'];
  /** Token scopes the request needs (`repository:x:pull`). */
  scopes: string[];
  /** What the caller is doing, for error messages: "fetching manifest docker.io/library/alpine:3". */
  what: string;
}

export interface ClientDeps {
  http: HttpContext;
  credentials: CredentialSource;
  clientId: string;
  /** Credentials to use instead of the store's (login). */
  credential?: Credential;
  /** Called with the rate limit a GET announces (Docker Hub counts GETs, not HEADs). */
  onRateLimit?: (rl: RateLimit) => void;
  /** Pings and tokens kept between processes (cache.ts). */
  cache?: TransportCache;
  /** Where warnings go (an invalid name the registry listed, skipped); the library never prints. */
  onWarning?: (message: string) => void;
}

/**
 * One registry: pings /v2/ once to pick the base URL and learn the challenge, answers Basic or Bearer
 * challenges, caches tokens per scope set for the life of the process, and retries once with the union of
 * scopes on `insufficient_scope`.
 */
export class RegistryClient {
  readonly registry: string;
  private readonly endpoint: Endpoint;
  private readonly deps: ClientDeps;
  private base?: URL;
  private challenge?: Challenge;
  private pinged?: Promise<void>;
  private credential?: Promise<Credential | undefined>;
  private readonly tokens = new Map<string, Token>();
  /** Token requests under way, by scope set: requests sent at once for one scope wait for the one token. */
  private readonly pendingTokens = new Map<string, Promise<Token>>();
  /** Token keys read from the disk cache, and whether the ping came from it: what a 401 makes us forget. */
  private cachedTokens?: TokenKey[];
  private cachedPing = false;
  /** Read the disk cache; false once it was found wrong (it is still written, with what the registry said). */
  private recall = true;

  constructor(endpoint: Endpoint, deps: ClientDeps) {
    this.registry = endpoint.registry;
    this.endpoint = endpoint;
    this.deps = deps;
  }

  /** Sends a request with authorization; returns any response but an unanswerable 401. */
  async request(req: RegistryRequest): Promise<HttpResponse> {
    await this.ping();
    const url = req.location !== undefined ? new URL(req.location, this.base) : this.pathUrl(req.path ?? '/v2/');
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    if (req.location !== undefined) checkLocation(url, this.registry);
    const replayable = req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
    let scopes = req.scopes;
    let res: HttpResponse;
    try {
      res = await this.sendAuthorized(req, url, scopes, false);
    } catch (err) {
      // a remembered base URL that no longer answers: learn the registry afresh, once
      if (!(err instanceof NetworkError) || !replayable || !(await this.forgetCached())) throw err;
      return this.request(req);
    }
    if (replayable && staleAnswer(res, this.base!) && (await this.forgetCached())) {
      await res.body.dump();
      return this.request(req);
    }
    if (res.status === 401 && replayable) {
      const fresh = pickChallenge(parseChallenges(res.headers['www-authenticate']));
      if (fresh?.scheme === 'bearer') {
        this.challenge = fresh;
        scopes = mergeScopes(scopes, fresh.params.scope ? [fresh.params.scope] : []);
        await res.body.dump();
        res = await this.sendAuthorized(req, url, scopes, true);
      }
    }
    if (res.status === 401) throw await this.unauthorized(res, req.what);
    if (req.method === 'GET' && this.deps.onRateLimit) {
      const rl = parseRateLimit(res);
      if (rl) this.deps.onRateLimit(rl);
    }
    return res;
  }

  /**
   * The URL of an API path below the base, exactly as joined: a path the URL parser would change (`..`, `.`,
   * characters it escapes) is refused, never normalised into another repository's or endpoint's path.
   */
  private pathUrl(pathAndQuery: string): URL {
    const joined = this.base!.pathname.replace(/\/$/, '') + pathAndQuery;
    const url = new URL(joined, this.base);
    const path = joined.split('?')[0]!;
    if (url.pathname !== path || !path.startsWith('/')) {
      throw new RegistryError(`refusing to request ${JSON.stringify(path)} on ${this.registry}: the URL parser would turn it into ${JSON.stringify(url.pathname)}`, 0);
    }
    return url;
  }

  /** Throws the typed error for a response whose status is not one of `ok`. */
  async expect(res: HttpResponse, ok: number[], method: string, what: string): Promise<HttpResponse> {
    if (ok.includes(res.status)) return res;
    throw await responseError(res, method, what);
  }

  /**
   * Checks credentials against the registry (login): Basic on /v2/, or a token exchange for Bearer.
   * Returns a refresh token when the token server issued one, to be stored as the identity token.
   */
  async verifyLogin(credential: Credential): Promise<{ identityToken?: string }> {
    await this.ping();
    const ch = this.challenge;
    if (!ch) return {};
    if (ch.scheme === 'basic') {
      const url = new URL(this.base!.pathname.replace(/\/$/, '') + '/v2/', this.base);
      const res = await send(this.deps.http, { method: 'GET', url, headers: { authorization: basic(credential) } });
      await res.body.dump();
      if (res.status === 401) throw badCredentials(this.registry);
      if (res.status !== 200) throw new RegistryError(`login to ${this.registry}: unexpected HTTP ${res.status}`, res.status);
      return {};
    }
    this.checkRealm(ch.params.realm, credential);
    const token = await requestToken(this.deps.http, {
      realm: ch.params.realm ?? '',
      service: ch.params.service,
      scopes: [],
      credential,
      clientId: this.deps.clientId,
      offline: !credential.identityToken,
    }).catch((err: unknown) => {
      throw err instanceof AuthError && err.code === 'ERR_BAD_CREDENTIALS' ? badCredentials(this.registry) : err;
    });
    return token.refreshToken ? { identityToken: token.refreshToken } : {};
  }

  /** Tells the user something the registry sent was skipped (through the transport's onWarning). */
  warn(message: string): void {
    this.deps.onWarning?.(message);
  }

  /** The base URL that answered the ping (after https → http fallback). */
  async baseUrl(): Promise<URL> {
    await this.ping();
    return this.base!;
  }

  private ping(): Promise<void> {
    this.pinged ??= this.pingOrRecall().catch((err: unknown) => {
      this.pinged = undefined;
      throw err;
    });
    return this.pinged;
  }

  private async pingOrRecall(): Promise<void> {
    const cache = this.deps.cache;
    const rec = this.recall ? await cache?.ping(this.registry, this.endpoint.candidates) : undefined;
    if (rec) {
      this.base = new URL(rec.base);
      this.challenge = rec.challenge;
      this.cachedPing = true;
      return;
    }
    await this.doPing();
    await cache?.savePing(this.registry, this.endpoint.candidates, { base: this.base!.href, ...(this.challenge ? { challenge: this.challenge } : {}) });
  }

  /** After an answer that remembered state may explain (401, a dead base URL): drops it all; false if none was used. */
  private async forgetCached(): Promise<boolean> {
    const cache = this.deps.cache;
    if (!cache || (!this.cachedPing && !this.cachedTokens)) return false;
    this.deps.http.debug?.(`${this.registry}: cached ping or token refused; starting over`);
    await Promise.all([cache.forgetPing(this.registry, this.endpoint.candidates), ...(this.cachedTokens ?? []).map((k) => cache.forgetToken(k))]);
    this.cachedPing = false;
    this.cachedTokens = undefined;
    this.tokens.clear();
    this.pinged = undefined;
    this.recall = false;
    return true;
  }

  private async doPing(): Promise<void> {
    let firstError: RegctlError | undefined;
    for (const base of this.endpoint.candidates) {
      const url = new URL(base.pathname.replace(/\/$/, '') + '/v2/', base);
      let res: HttpResponse;
      try {
        res = await send(this.deps.http, { method: 'GET', url, headers: { 'docker-distribution-api-version': 'registry/2.0' } });
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        firstError ??= err;
        continue;
      }
      if (res.status === 200 || res.status === 401) {
        this.base = base;
        this.challenge = res.status === 401 ? pickChallenge(parseChallenges(res.headers['www-authenticate'])) : undefined;
        await res.body.dump();
        return;
      }
      if (res.status === 404) {
        await res.body.dump();
        throw new RegistryError(`${base.origin} is not a registry: GET /v2/ answered 404`, 404, [], {
          hint: 'check the host and port: a registry answers GET /v2/ with 200 or 401',
        });
      }
      if (firstError) { // http fallback reached something that is not a registry (e.g. a TLS port's 400): report the https error
        await res.body.dump();
        throw firstError;
      }
      throw await responseError(res, 'GET', `pinging ${this.registry}`);
    }
    throw firstError!;
  }

  private async sendAuthorized(req: RegistryRequest, url: URL, scopes: string[], fresh: boolean): Promise<HttpResponse> {
    const headers = { ...req.headers };
    const authorization = url.origin === this.base!.origin ? await this.authorization(scopes, fresh) : undefined;
    if (authorization) headers.authorization = authorization;
    return send(this.deps.http, { method: req.method, url, headers, body: req.body });
  }

  private async authorization(scopes: string[], fresh: boolean): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    const cred = await this.credentials();
    if (cred?.registryToken) return `Bearer ${cred.registryToken}`; // --registry-token: used as is, whatever the challenge
    if (ch.scheme === 'basic') return cred && (cred.password !== undefined || cred.identityToken) ? basic(cred) : undefined;
    const merged = mergeScopes(scopes);
    const key = merged.join(' ');
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    let pending = fresh ? undefined : this.pendingTokens.get(key);
    if (!pending) {
      pending = this.fetchToken(ch, cred, key, merged, fresh).finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    return `Bearer ${(await pending).token}`;
  }

  /** A token for the scope set `key` (`merged`): from the disk cache unless `fresh`, else from the token server. */
  private async fetchToken(ch: Challenge, cred: Credential | undefined, key: string, merged: string[], fresh: boolean): Promise<Token> {
    this.checkRealm(ch.params.realm, cred);
    const diskKey: TokenKey = { registry: this.registry, realm: ch.params.realm ?? '', service: ch.params.service, scopes: merged, credential: cred };
    const remembered = fresh || !this.recall ? undefined : await this.deps.cache?.token(diskKey);
    if (remembered) {
      (this.cachedTokens ??= []).push(diskKey);
      this.tokens.set(key, remembered);
      return remembered;
    }
    const token = await requestToken(this.deps.http, {
      realm: ch.params.realm ?? '',
      service: ch.params.service,
      scopes: merged,
      credential: cred,
      clientId: this.deps.clientId,
    });
    this.tokens.set(key, token);
    await this.deps.cache?.saveToken(diskKey, token);
    return token;
  }

  /** Refuses a realm that would leak credentials over plain http, or that points at a link-local address. */
  private checkRealm(realm: string | undefined, cred: Credential | undefined): void {
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      return; // requestToken reports a realm that is not a URL
    }
    const withCredentials = cred !== undefined && (cred.password !== undefined || cred.identityToken !== undefined);
    checkRealm(url, { registry: this.registry, withCredentials, base: this.base! });
  }

  private credentials(): Promise<Credential | undefined> {
    this.credential ??= this.deps.credential ? Promise.resolve(this.deps.credential) : this.deps.credentials.get(this.registry);
    return this.credential;
  }

  private async unauthorized(res: HttpResponse, what: string): Promise<AuthError> {
    await res.body.dump();
    const cred = await this.credentials();
    const login = `regctl login ${this.registry}`;
    if (cred?.registryToken) {
      return new AuthError(`${what}: the registry refused the token given with --registry-token`, { code: 'ERR_DENIED', hint: 'the token may have expired, lack access to it, or be for another registry or service' });
    }
    if (this.challenge?.scheme === 'basic') {
      return cred ? badCredentials(this.registry) : new AuthError(`${what}: authentication required`, { code: 'ERR_UNAUTHORIZED', hint: `log in first: ${login}` });
    }
    return new AuthError(`${what}: requested access to the resource is denied`, {
      code: 'ERR_DENIED',
      hint: cred ? `the account${cred.username ? ` "${cred.username}"` : ''} has no access to it, or it does not exist` : `it may need credentials: ${login}`,
    });
  }
}

/** An answer that says the remembered ping or token is wrong: 401, or a TLS port's 400 to plain http. */
function staleAnswer(res: HttpResponse, base: URL): boolean {
  return res.status === 401 || (res.status === 400 && base.protocol === 'http:');
}

function basic(cred: Credential): string {
  const secret = cred.password ?? cred.identityToken ?? '';
  return `Basic ${Buffer.from(`${cred.username ?? ''}:${secret}`).toString('base64')}`;
}

function badCredentials(registry: string): AuthError {
  return new AuthError(`login to ${registry} failed: wrong username or password`, { code: 'ERR_BAD_CREDENTIALS' });
}

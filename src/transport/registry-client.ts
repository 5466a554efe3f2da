import type { Credential, CredentialSource } from '../auth/credential.js';
import { AuthError, NetworkError, RegistryError } from '../errors.js';
import { raced } from '../util/signals.js';
import { pickChallenge, parseChallenges } from './challenge.js';
import { send, type HttpContext, type HttpRequest, type HttpResponse, type Method } from './http.js';
import { responseError } from './response-error.js';
import { parseRateLimit, type RateLimit } from './ratelimit.js';
import { CLIENT_ID, type RegistryState } from './registry-state.js';
import { mergeScopes } from './scope.js';
import { requestToken } from './token.js';
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
  /** This client's requests: the pool, and the signal of the call it serves. */
  http: HttpContext;
  credentials: CredentialSource;
  /** Credentials to use instead of the store's (login). */
  credential?: Credential;
  /** Called with the rate limit a GET announces (Docker Hub counts GETs, not HEADs). */
  onRateLimit?: (rl: RateLimit) => void;
  /** Where warnings go (an invalid name the registry listed, skipped); the library never prints. */
  onWarning?: (message: string) => void;
  /** The option the call's credentials were given as (`credentials`, `sourceCredentials`, …), for errors. */
  credentialsOption?: string;
}

/**
 * One registry as one call sees it (its credentials, its signal), over the state every call shares (the ping, the
 * tokens): pings /v2/ once to pick the base URL and learn the challenge, answers Basic or Bearer challenges, reuses
 * tokens per credential and scope set while they last, and retries once with the union of scopes on
 * `insufficient_scope`.
 */
export class RegistryClient {
  readonly registry: string;
  private readonly state: RegistryState;
  private readonly deps: ClientDeps;
  private credential?: Promise<Credential | undefined>;

  constructor(state: RegistryState, deps: ClientDeps) {
    this.registry = state.registry;
    this.state = state;
    this.deps = deps;
  }

  private get base(): URL | undefined {
    return this.state.base;
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
      if (!(err instanceof NetworkError) || !replayable || !(await this.state.forgetCached())) throw err;
      return this.request(req);
    }
    if (replayable && staleAnswer(res, this.base!) && (await this.state.forgetCached())) {
      await res.body.dump();
      return this.request(req);
    }
    if (res.status === 401 && replayable) {
      const fresh = pickChallenge(parseChallenges(res.headers['www-authenticate']));
      if (fresh?.scheme === 'bearer') {
        this.state.challenge = fresh;
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
    const ch = this.state.challenge;
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
      clientId: CLIENT_ID,
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

  /** The shared ping, waited for until this call's signal aborts. */
  private ping(): Promise<void> {
    return raced(this.state.ping(), this.deps.http.signal);
  }

  private async sendAuthorized(req: RegistryRequest, url: URL, scopes: string[], fresh: boolean): Promise<HttpResponse> {
    const headers = { ...req.headers };
    const authorization = url.origin === this.base!.origin ? await this.authorization(scopes, fresh) : undefined;
    if (authorization) headers.authorization = authorization;
    return send(this.deps.http, { method: req.method, url, headers, body: req.body });
  }

  private async authorization(scopes: string[], fresh: boolean): Promise<string | undefined> {
    const ch = this.state.challenge;
    if (!ch) return undefined;
    const cred = await this.credentials();
    if (cred?.registryToken) return `Bearer ${cred.registryToken}`; // a registry token is used as is, whatever the challenge
    if (ch.scheme === 'basic') return cred && (cred.password !== undefined || cred.identityToken) ? basic(cred) : undefined;
    this.checkRealm(ch.params.realm, cred);
    return `Bearer ${(await raced(this.state.token(ch, cred, mergeScopes(scopes), fresh), this.deps.http.signal)).token}`;
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
    const host = this.registry;
    if (cred?.registryToken) {
      const option = `${this.deps.credentialsOption ?? 'credentials'}.registryToken`;
      return new AuthError(`${what}: the registry refused the token given with option ${option}`, {
        code: 'ERR_DENIED', option, host, hint: 'the token may have expired, lack access to it, or be for another registry or service',
      });
    }
    if (this.state.challenge?.scheme === 'basic') {
      return cred ? badCredentials(host) : new AuthError(`${what}: authentication required`, { code: 'ERR_UNAUTHORIZED', host, hint: 'log in first' });
    }
    // No credentials sent: ERR_UNAUTHORIZED (some may help); with credentials: ERR_DENIED (that account may not).
    return cred
      ? new AuthError(`${what}: requested access to the resource is denied`, {
        code: 'ERR_DENIED', host, hint: `the account${cred.username ? ` "${cred.username}"` : ''} has no access to it, or it does not exist`,
      })
      : new AuthError(`${what}: requested access to the resource is denied`, { code: 'ERR_UNAUTHORIZED', host, hint: 'it may need credentials' });
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
  return new AuthError(`login to ${registry} failed: wrong username or password`, { code: 'ERR_BAD_CREDENTIALS', host: registry });
}

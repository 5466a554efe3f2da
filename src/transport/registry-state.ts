import type { Credential } from '../auth/credential.js';
import { NetworkError, RegistryError, type RegctlError } from '../errors.js';
import { credentialIdentity, type TokenKey, type TransportCache } from './cache.js';
import { parseChallenges, pickChallenge, type Challenge } from './challenge.js';
import type { Endpoint } from './endpoint.js';
import { send, type HttpContext, type HttpResponse } from './http.js';
import { responseError } from './response-error.js';
import { requestToken, type Token } from './token.js';

/** The OAuth2 client_id regctl sends to token servers. */
export const CLIENT_ID = 'regctl';

/**
 * What every call of a context knows about one registry endpoint, whatever credentials it sends: the ping (the base
 * URL that answered /v2/ and its challenge) and the bearer tokens, one per credential and scope set while it lasts.
 * Its requests are made with the context's signal, not a call's: a call that gives up (its signal, its time limit)
 * stops waiting for them (RegistryClient races them) without failing the other calls that wait for the same.
 */
export class RegistryState {
  base?: URL;
  challenge?: Challenge;
  private pinged?: Promise<void>;
  private readonly tokens = new Map<string, Token>();
  /** Token requests under way, by key: calls asking at once for one scope and credential wait for the one token. */
  private readonly pendingTokens = new Map<string, Promise<Token>>();
  /** Token keys read from the disk cache, and whether the ping came from it: what a 401 makes us forget. */
  private cachedTokens?: TokenKey[];
  private cachedPing = false;
  /** Read the disk cache; false once it was found wrong (it is still written, with what the registry said). */
  private recall = true;

  constructor(readonly endpoint: Endpoint, readonly http: HttpContext, private readonly cache?: TransportCache) {}

  get registry(): string {
    return this.endpoint.registry;
  }

  ping(): Promise<void> {
    this.pinged ??= this.pingOrRecall().catch((err: unknown) => {
      this.pinged = undefined;
      throw err;
    });
    return this.pinged;
  }

  /** A token for `scopes` (merged) sent with `cred`: a live one already held, else one asked for (`fresh`: always asked for). */
  token(ch: Challenge, cred: Credential | undefined, scopes: string[], fresh: boolean): Promise<Token> {
    const key = JSON.stringify([ch.params.realm ?? '', ch.params.service ?? '', scopes, credentialIdentity(cred)]);
    const now = Date.now();
    const held = this.tokens.get(key);
    if (!fresh && held && held.expiresAt > now) return Promise.resolve(held);
    let pending = fresh ? undefined : this.pendingTokens.get(key);
    if (!pending) {
      const asked: Promise<Token> = this.fetchToken(ch, cred, scopes, fresh).then((token) => {
        for (const [k, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(k);
        this.tokens.set(key, token);
        return token;
      }).finally(() => {
        // a fresh request may have taken the key since: only this request's own entry goes
        if (this.pendingTokens.get(key) === asked) this.pendingTokens.delete(key);
      });
      this.pendingTokens.set(key, asked);
      pending = asked;
    }
    return pending;
  }

  /** After an answer that remembered state may explain (401, a dead base URL): drops it all; false if none was used. */
  async forgetCached(): Promise<boolean> {
    const cache = this.cache;
    if (!cache || (!this.cachedPing && !this.cachedTokens)) return false;
    this.http.debug?.(`${this.registry}: cached ping or token refused; starting over`);
    await Promise.all([cache.forgetPing(this.registry, this.endpoint.candidates), ...(this.cachedTokens ?? []).map((k) => cache.forgetToken(k))]);
    this.cachedPing = false;
    this.cachedTokens = undefined;
    this.tokens.clear();
    this.pinged = undefined;
    this.recall = false;
    return true;
  }

  /** A token from the disk cache unless `fresh`, else from the token server. */
  private async fetchToken(ch: Challenge, cred: Credential | undefined, scopes: string[], fresh: boolean): Promise<Token> {
    const diskKey: TokenKey = { registry: this.registry, realm: ch.params.realm ?? '', service: ch.params.service, scopes, credential: cred };
    const remembered = fresh || !this.recall ? undefined : await this.cache?.token(diskKey);
    if (remembered) {
      (this.cachedTokens ??= []).push(diskKey);
      return remembered;
    }
    const token = await requestToken(this.http, { realm: ch.params.realm ?? '', service: ch.params.service, scopes, credential: cred, clientId: CLIENT_ID });
    await this.cache?.saveToken(diskKey, token);
    return token;
  }

  private async pingOrRecall(): Promise<void> {
    const rec = this.recall ? await this.cache?.ping(this.registry, this.endpoint.candidates) : undefined;
    if (rec) {
      this.base = new URL(rec.base);
      this.challenge = rec.challenge;
      this.cachedPing = true;
      return;
    }
    await this.doPing();
    await this.cache?.savePing(this.registry, this.endpoint.candidates, { base: this.base!.href, ...(this.challenge ? { challenge: this.challenge } : {}) });
  }

  /**
   * Tries the candidate base URLs in order (https, then plain http where allowed). A candidate that did not answer
   * in time ends the ping: plain http on the same port would wait as long again (a plain-http registry answers a TLS
   * handshake at once, with an error).
   */
  private async doPing(): Promise<void> {
    let firstError: RegctlError | undefined;
    for (const base of this.endpoint.candidates) {
      const url = new URL(base.pathname.replace(/\/$/, '') + '/v2/', base);
      let res: HttpResponse;
      try {
        res = await send(this.http, { method: 'GET', url, headers: { 'docker-distribution-api-version': 'registry/2.0' } });
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        if (err.code === 'ERR_TIMEOUT') throw firstError ?? err;
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
}

import { MAX_TOKEN_BODY_BYTES } from '../util/limits.js';
import type { Credential } from '../auth/credential.js';
import { AuthError, RegistryError } from '../errors.js';
import { send, type HttpContext, type HttpResponse } from './http.js';
import { readBody } from './read-body.js';
import { readErrorEntries } from './response-error.js';

/** A bearer token and when it stops being usable. */
export interface Token {
  token: string;
  expiresAt: number;
  /** OAuth2 refresh token, when the server issued one (stored as docker's `identitytoken`). */
  refreshToken?: string;
}

export interface TokenRequest {
  realm: string;
  service?: string;
  scopes: string[];
  credential?: Credential;
  clientId: string;
  /** Ask for a refresh token (login). */
  offline?: boolean;
  now?: () => number;
}

const MIN_LIFETIME_S = 60;
/** Renew this long before the server's expiry, so a token never dies mid-request. */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * Docker token auth (distribution docs/spec/auth/token.md and oauth.md). With an identity token: OAuth2
 * `POST realm` with grant_type=refresh_token, falling back to GET on 404. Otherwise `GET realm?service&scope…`
 * with Basic credentials when there are any.
 */
export async function requestToken(http: HttpContext, req: TokenRequest): Promise<Token> {
  const realm = parseRealm(req.realm);
  const cred = req.credential;
  if (cred?.identityToken) {
    const res = await postRefresh(http, realm, req, cred.identityToken);
    if (res.status !== 404) return readToken(res, req);
    await res.body.dump();
  }
  const url = new URL(realm);
  if (req.service) url.searchParams.set('service', req.service);
  for (const scope of req.scopes) url.searchParams.append('scope', scope);
  const headers: Record<string, string> = {};
  const user = cred?.username;
  const secret = cred?.password ?? cred?.identityToken;
  if (secret !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${user ?? '<token>'}:${secret}`).toString('base64')}`;
    if (user) url.searchParams.set('account', user);
  }
  if (req.offline) {
    url.searchParams.set('offline_token', 'true');
    url.searchParams.set('client_id', req.clientId);
  }
  return readToken(await send(http, { method: 'GET', url, headers }), req);
}

function postRefresh(http: HttpContext, realm: URL, req: TokenRequest, refreshToken: string): Promise<HttpResponse> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: req.clientId });
  if (req.service) form.set('service', req.service);
  if (req.scopes.length) form.set('scope', req.scopes.join(' '));
  return send(http, {
    method: 'POST',
    url: realm,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
}

async function readToken(res: HttpResponse, req: TokenRequest): Promise<Token> {
  const host = new URL(req.realm).host;
  if (res.status === 401 || res.status === 403) {
    await readErrorEntries(res);
    throw req.credential
      ? new AuthError(`authentication failed at ${host}: wrong username, password or token`, { code: 'ERR_BAD_CREDENTIALS' })
      : new AuthError(`the token server at ${host} refused anonymous access`, { code: 'ERR_UNAUTHORIZED' });
  }
  if (res.status !== 200) {
    const { entries } = await readErrorEntries(res);
    throw new RegistryError(`token request to ${host} failed with HTTP ${res.status}`, res.status, entries);
  }
  const body = await readBody(res, MAX_TOKEN_BODY_BYTES, 'token response');
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new RegistryError(`token response from ${host} is not valid JSON`, res.status, [], { cause: err });
  }
  if (typeof doc !== 'object' || doc === null) throw new RegistryError(`token response from ${host} is not a JSON object`, res.status);
  const token = str(doc.token) ?? str(doc.access_token);
  if (!token) throw new RegistryError(`token response from ${host} holds no token`, res.status);
  const now = (req.now ?? Date.now)();
  const lifetime = Math.max(MIN_LIFETIME_S, typeof doc.expires_in === 'number' ? doc.expires_in : 0);
  const issued = str(doc.issued_at) ? Date.parse(doc.issued_at as string) : NaN;
  // issued_at counts only when it is plausible (not in the future, not older than the lifetime: clock skew)
  const base = Number.isNaN(issued) || issued > now || now - issued >= lifetime * 1000 ? now : issued;
  const refresh = str(doc.refresh_token);
  return { token, expiresAt: base + lifetime * 1000 - EXPIRY_MARGIN_MS, ...(refresh ? { refreshToken: refresh } : {}) };
}

function parseRealm(realm: string): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new RegistryError(`the registry's auth realm "${realm}" is not a URL`, 401);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RegistryError(`the registry's auth realm "${realm}" is not an http(s) URL`, 401);
  }
  return url;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

// A Docker token-auth server (distribution spec/auth/token.md and oauth.md) for the real registry.
//
// ACL convention: `acl(user, name)` returns the actions `user` (undefined = anonymous) may have on
// the repository `name`; '*' among them grants every action asked for. The scope
// `registry:catalog:*` is checked as `acl(user, CATALOG)`, which must include '*'.
// A token holds the intersection of the actions asked for and those allowed, so a partial or
// empty grant is still a 200 (the registry then answers 401 insufficient_scope).
//
// GET takes Basic credentials (the password, or a refresh token of that user) or none (anonymous)
// and answers {token, access_token, expires_in, issued_at} (+ refresh_token for offline_token=true
// with valid credentials); POST answers the OAuth2 shape {access_token, scope, expires_in, issued_at}
// (+ refresh_token for grant_type=password&access_type=offline), without `token`.
import { createPrivateKey, randomBytes, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAll } from './bytes.js';
import { selfSignedRSA, testCA } from './tls.js';

/** The resource name the ACL is asked about for the scope `registry:catalog:*`. */
export const CATALOG = '*catalog*';
const EXPIRES_IN = 300;

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenRequest {
  method: string;
  query: URLSearchParams;
  /** POST body without `password` and `refresh_token`. */
  form?: URLSearchParams;
  /** The user the request claimed to be: Basic username, form username or refresh-token owner. */
  user?: string;
}

export interface TokenServerOptions {
  service: string;
  issuer: string;
  users: Record<string, string>;
  acl: (user: string | undefined, repo: string) => string[];
  /** Default true; false makes every POST answer 404 (a server with only the GET flow). */
  postEnabled?: boolean;
  /** Serve https with testCA()'s server certificate (default plain http). */
  tls?: boolean;
}

export interface TokenServerHandle {
  url: string;
  /** `url + '/token'`, the realm the registry puts in its Bearer challenge. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the self-signed signing certificate: the registry's rootcertbundle. */
  certFile: string;
  requests: TokenRequest[];
  /** A signed token for `user` with exactly `access`, bypassing the ACL. */
  issueToken(user: string | undefined, access: Access[]): string;
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly body: object) {
    super(JSON.stringify(body));
  }
}

const dirs = new Set<string>();
process.once('exit', () => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServerHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'regctl-token-'));
  dirs.add(dir);
  const { cert: certFile, key: keyFile } = await selfSignedRSA(dir, 'token-signer');
  const signer = new JwtSigner(createPrivateKey(await readFile(keyFile)), await readFile(certFile, 'utf8'));
  const requests: TokenRequest[] = [];
  const refreshTokens = new Map<string, string>();

  const issueToken = (user: string | undefined, access: Access[]): string => {
    const now = Math.floor(Date.now() / 1000);
    return signer.sign({
      iss: opts.issuer, sub: user ?? '', aud: opts.service,
      exp: now + EXPIRES_IN, nbf: now, iat: now, jti: randomUUID(), access,
    });
  };
  const grant = (user: string | undefined, scopes: string[]): Access[] =>
    scopes.flatMap((s) => s.split(' ')).filter(Boolean).map((scope) => grantScope(opts.acl, user, scope));
  const newRefreshToken = (user: string): string => {
    const token = randomBytes(24).toString('hex');
    refreshTokens.set(token, user);
    return token;
  };
  const checkPassword = (user: string, password: string | undefined): void => {
    if (opts.users[user] === undefined || opts.users[user] !== password) {
      throw new HttpError(401, { details: 'incorrect username or password' });
    }
  };

  const handleGet = (req: IncomingMessage, query: URLSearchParams): object => {
    const basic = parseBasic(req.headers.authorization);
    requests.push({ method: 'GET', query, user: basic?.user });
    // A refresh token of the user works as the Basic password: the GET fallback when POST is 404.
    if (basic && refreshTokens.get(basic.password) !== basic.user) checkPassword(basic.user, basic.password);
    const token = issueToken(basic?.user, grant(basic?.user, query.getAll('scope')));
    const body: Record<string, unknown> = {
      token, access_token: token, expires_in: EXPIRES_IN, issued_at: new Date().toISOString(),
    };
    if (basic && query.get('offline_token') === 'true') body.refresh_token = newRefreshToken(basic.user);
    return body;
  };

  const handlePost = (query: URLSearchParams, form: URLSearchParams): object => {
    const grantType = form.get('grant_type');
    const recorded = new URLSearchParams(form);
    recorded.delete('password');
    recorded.delete('refresh_token');
    const request: TokenRequest = { method: 'POST', query, form: recorded };
    requests.push(request);
    let user: string;
    let refreshToken: string | undefined;
    if (grantType === 'password') {
      user = form.get('username') ?? '';
      request.user = user;
      checkPassword(user, form.get('password') ?? undefined);
      if (form.get('access_type') === 'offline') refreshToken = newRefreshToken(user);
    } else if (grantType === 'refresh_token') {
      const owner = refreshTokens.get(form.get('refresh_token') ?? '');
      if (owner === undefined) throw new HttpError(401, { error: 'invalid_grant', error_description: 'unknown refresh token' });
      user = owner;
      request.user = user;
    } else {
      throw new HttpError(400, { error: 'unsupported_grant_type', error_description: `grant_type=${grantType}` });
    }
    const scope = form.get('scope') ?? '';
    const body: Record<string, unknown> = {
      access_token: issueToken(user, grant(user, [scope])), scope,
      expires_in: EXPIRES_IN, issued_at: new Date().toISOString(),
    };
    if (refreshToken) body.refresh_token = refreshToken;
    return body;
  };

  const handler: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/token') return sendJson(res, 404, { error: 'not found' });
    if (req.method === 'GET') return respond(res, () => handleGet(req, url.searchParams));
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
    readBody(req).then((body) => {
      if (opts.postEnabled === false) {
        requests.push({ method: 'POST', query: url.searchParams });
        return sendJson(res, 404, { error: 'not found' });
      }
      respond(res, () => handlePost(url.searchParams, new URLSearchParams(body)));
    }, (err: Error) => sendJson(res, 400, { error: err.message }));
  };
  const ca = opts.tls ? await testCA() : undefined;
  const server = ca
    ? createTlsServer({ cert: await readFile(ca.serverCert), key: await readFile(ca.serverKey) }, handler)
    : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${ca ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url, realm: `${url}/token`, service: opts.service, issuer: opts.issuer, certFile, requests, issueToken,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}

function grantScope(acl: TokenServerOptions['acl'], user: string | undefined, scope: string): Access {
  const parts = scope.split(':');
  const type = parts[0];
  const name = parts.slice(1, -1).join(':');
  const wanted = (parts.at(-1) ?? '').split(',').filter(Boolean);
  const resource = type === 'repository' ? name : type === 'registry' && name === 'catalog' ? CATALOG : undefined;
  const allowed = resource === undefined || parts.length < 3 ? [] : acl(user, resource);
  const actions = allowed.includes('*') ? wanted : wanted.filter((action) => allowed.includes(action));
  return { type, name, actions };
}

class JwtSigner {
  private readonly x5c: string;

  constructor(private readonly key: KeyObject, certPem: string) {
    this.x5c = new X509Certificate(certPem).raw.toString('base64');
  }

  sign(claims: object): string {
    const header = { typ: 'JWT', alg: 'RS256', x5c: [this.x5c] };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${input}.${base64url(sign('sha256', Buffer.from(input), this.key))}`;
  }
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function respond(res: ServerResponse, handler: () => object): void {
  try {
    sendJson(res, 200, handler());
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    sendJson(res, err.status, err.body);
  }
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readAll(req)).toString('utf8');
}

import { AuthError, RegistryError } from '../errors.js';
import { isLoopback } from './endpoint.js';
import { redactUrl } from './redact.js';

/**
 * Where the network may and may not be sent, whatever a server says. Like go-containerregistry, token realms,
 * upload `Location`s and redirects never reach link-local or cloud metadata addresses (169.254.0.0/16,
 * fe80::/10, fd00:ec2::254), and only http(s) URLs are followed at all.
 */
export function isLinkLocal(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (/^169\.254\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  if (/^fe[89ab][0-9a-f]?:/.test(h)) return true;
  if (h === 'fd00:ec2::254') return true;
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(h);
  if (mapped) return isLinkLocal(mapped[1]!);
  const mappedHex = /^::ffff:a9fe:[0-9a-f]{1,4}$/.exec(h); // 169.254.x.x written in hex by the URL parser
  return mappedHex !== null;
}

/** A redirect target: http(s) and not link-local, else RegistryError "redirected to an unsupported URL". */
export function checkRedirect(url: URL, from: URL): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RegistryError(`registry ${from.host} redirected to an unsupported URL (${url.protocol} scheme)`, 0);
  }
  if (isLinkLocal(url.hostname)) {
    throw new RegistryError(`registry ${from.host} redirected to a link-local address (${url.host}): refused`, 0);
  }
}

/** An upload `Location` the registry handed out: http(s), not link-local. */
export function checkLocation(url: URL, registry: string): void {
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || isLinkLocal(url.hostname)) {
    throw new RegistryError(`registry ${registry} sent an upload location that is refused: ${redactUrl(url)}`, 0);
  }
}

/**
 * A token realm the client may contact: http(s), not link-local, and not plain http when credentials go with the
 * request — unless the registry itself is reached over plain http (loopback or marked insecure) and the realm is
 * on the registry's own host or on loopback, as go-containerregistry allows. Exit 4 otherwise.
 */
export function checkRealm(realm: URL, opts: { registry: string; withCredentials: boolean; base: URL }): void {
  const trustedPlainHttp = opts.base.protocol === 'http:' && (realm.hostname === opts.base.hostname || isLoopback(realm.host));
  if (isLinkLocal(realm.hostname)) {
    throw new AuthError(`registry ${opts.registry} names a token realm on a link-local address: ${redactUrl(realm)}: refused`, {
      code: 'ERR_REALM_REFUSED',
    });
  }
  if (realm.protocol === 'http:' && opts.withCredentials && !trustedPlainHttp) {
    throw new AuthError(`registry ${opts.registry} asks for credentials to be sent over plain http to ${redactUrl(realm)}: refused`, {
      code: 'ERR_REALM_REFUSED',
      hint: 'the token realm must use https; mark the registry insecure only if you trust the network',
    });
  }
}

import { NetworkError } from '../errors.js';

const TLS_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'EPROTO']);

/**
 * Turns a socket/TLS/DNS failure into a NetworkError that names the URL's origin and the cause, and the host it is
 * about (`host`: where the CLI points its hints, as `--insecure` for ERR_PLAIN_HTTP and ERR_TLS).
 */
export function networkError(err: unknown, url: URL): NetworkError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code && e.code !== 'UND_ERR_SOCKET' ? e.code : (e.cause?.code ?? e.code ?? '');
  const where = url.origin;
  const host = url.host;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new NetworkError(`${host} speaks plain http, not TLS (${where} failed)`, {
      code: 'ERR_PLAIN_HTTP', cause: err, host,
      hint: `if you trust the network to it, allow plain http: option insecure, or "insecure": true for ${host} in registries (createContext) or regctl's config`,
    });
  }
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(e.message ?? '')) {
    return new NetworkError(`TLS handshake with ${where} failed: ${tlsReason(code, e.message)}`, {
      code: 'ERR_TLS', cause: err, host,
      hint: `trust its CA ("ca" for ${host} in registries (createContext) or regctl's config, or /etc/docker/certs.d/${host}/ca.crt), or skip verification: option insecure`,
    });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new NetworkError(`connection refused: ${where}`, { code: 'ERR_CONNECTION_REFUSED', cause: err, host, hint: 'is the registry running and is the host:port right?' });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NetworkError(`cannot resolve host ${url.hostname}`, { code: 'ERR_DNS', cause: err, host });
    case 'ETIMEOUT':
      return new NetworkError(`cannot resolve host ${url.hostname}: ${e.message}`, { code: 'ERR_DNS', cause: err, host });
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new NetworkError(`connection to ${where} was closed unexpectedly`, { code: 'ERR_CONNECTION_RESET', cause: err, host });
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new NetworkError(`timed out connecting to ${where}: it accepted no connection, or did not finish the TLS handshake`, {
        code: 'ERR_TIMEOUT', cause: err, host, hint: 'is the registry up, and is the host:port right?',
      });
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return new NetworkError(`timed out talking to ${where}`, { code: 'ERR_TIMEOUT', cause: err, host });
    default:
      return new NetworkError(`request to ${where} failed: ${e.message || code || 'unknown error'}`, { cause: err, host });
  }
}

function tlsReason(code: string, message: string | undefined): string {
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return 'certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'certificate is not valid for this host name';
    case 'CERT_HAS_EXPIRED':
      return 'certificate has expired';
    default:
      return message ?? code;
  }
}

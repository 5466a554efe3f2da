import { NetworkError } from '../errors.js';

const TLS_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'EPROTO']);

/** Turns a socket/TLS/DNS failure into a NetworkError that names the URL's origin and the cause. */
export function networkError(err: unknown, url: URL): NetworkError {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.code && e.code !== 'UND_ERR_SOCKET' ? e.code : (e.cause?.code ?? e.code ?? '');
  const where = url.origin;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') {
    return new NetworkError(`${url.host} speaks plain http, not TLS (${where} failed)`, {
      code: 'ERR_PLAIN_HTTP',
      cause: err,
      hint: `use --insecure, or mark it insecure in regctl's config ("registries": {"${url.host}": {"insecure": true}})`,
    });
  }
  if (TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(e.message ?? '')) {
    return new NetworkError(`TLS handshake with ${where} failed: ${tlsReason(code, e.message)}`, {
      code: 'ERR_TLS',
      cause: err,
      hint: `trust the registry's CA (put it in /etc/docker/certs.d/${url.host}/ca.crt or set "ca" in regctl's config), or use --insecure`,
    });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new NetworkError(`connection refused: ${where}`, { code: 'ERR_CONNECTION_REFUSED', cause: err, hint: 'is the registry running and is the host:port right?' });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NetworkError(`cannot resolve host ${url.hostname}`, { code: 'ERR_DNS', cause: err });
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return new NetworkError(`connection to ${where} was closed unexpectedly`, { code: 'ERR_CONNECTION_RESET', cause: err });
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return new NetworkError(`timed out talking to ${where}`, { code: 'ERR_TIMEOUT', cause: err });
    default:
      return new NetworkError(`request to ${where} failed: ${e.message || code || 'unknown error'}`, { cause: err });
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

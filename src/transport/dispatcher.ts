import { Agent, EnvHttpProxyAgent } from 'undici';
import type { RequestDispatcher } from './http.js';
import type { DispatcherOptions } from './certs.js';

/** A keep-alive pool for one registry, honouring HTTP(S)_PROXY/NO_PROXY from the injected environment. */
export function createDispatcher(opts: DispatcherOptions): RequestDispatcher {
  const tls = opts.insecure ? { rejectUnauthorized: false } : opts.secureContext ? { secureContext: opts.secureContext } : {};
  const common = { connect: { ...tls, timeout: opts.connectTimeoutMs ?? 30_000 }, keepAliveTimeout: 30_000, connections: 16 };
  const env = opts.env;
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY ?? '';
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY ?? '';
  if (!httpProxy && !httpsProxy) return new Agent(common);
  return new EnvHttpProxyAgent({
    ...common,
    requestTls: tls,
    httpProxy,
    httpsProxy,
    noProxy: env.no_proxy ?? env.NO_PROXY ?? '',
  });
}

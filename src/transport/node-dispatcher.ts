import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { finished } from 'node:stream/promises';
import type { DispatcherOptions } from './certs.js';
import type { RequestDispatcher, ResponseBody } from './http.js';

/**
 * A keep-alive pool over Node's own http client, for commands that send a request or two (digest, inspect, tags, …)
 * and no proxy: undici and its WebAssembly parser cost ~15 ms of CPU to load and set up, more than such a command's
 * whole network work. Errors carry the codes undici's do where network-error.ts and retry.ts tell them apart
 * (timeouts); socket errors keep Node's (ECONNREFUSED, ECONNRESET, …), which both know.
 */
export function createNodeDispatcher(opts: DispatcherOptions): RequestDispatcher {
  const tls = opts.insecure ? { rejectUnauthorized: false } : opts.secureContext ? { secureContext: opts.secureContext } : {};
  const pool = { keepAlive: true, maxSockets: 16 };
  const http = new HttpAgent(pool);
  // node:https (and with it node:tls) is loaded for the first https request: a plain-http registry never loads it.
  type Client = { agent: HttpAgent | HttpsAgent; request: (url: URL, o: RequestOptions) => ClientRequest };
  let https: Promise<Client> | undefined;
  const secure = () => (https ??= import('node:https').then((m): Client => ({ agent: new m.Agent({ ...pool, ...tls }), request: (url, o) => m.request(url, o) })));
  const connectMs = opts.connectTimeoutMs ?? 30_000;
  return {
    async request(o) {
      const url = new URL(o.path, o.origin);
      const tlsUsed = url.protocol === 'https:';
      const { agent, request }: Client = tlsUsed ? await secure() : { agent: http, request: (u, r) => httpRequest(u, r) };
      return new Promise((resolve, reject) => {
        const req = request(url, { method: o.method, headers: o.headers, agent, ...(o.signal ? { signal: o.signal } : {}) });
        const fail = (code: string, message: string) => req.destroy(Object.assign(new Error(message), { code }));
        let waiting: NodeJS.Timeout | undefined;
        const wait = (ms: number | undefined, code: string, message: string) => {
          clearTimeout(waiting);
          waiting = ms ? setTimeout(() => fail(code, message), ms) : undefined;
        };
        req.once('socket', (socket) => {
          if (socket.connecting) {
            wait(connectMs, 'UND_ERR_CONNECT_TIMEOUT', 'connect timeout');
            socket.once(tlsUsed ? 'secureConnect' : 'connect', () => wait(o.headersTimeout, 'UND_ERR_HEADERS_TIMEOUT', 'headers timeout'));
          } else {
            wait(o.headersTimeout, 'UND_ERR_HEADERS_TIMEOUT', 'headers timeout');
          }
        });
        req.once('error', (err) => {
          clearTimeout(waiting);
          reject(err);
        });
        req.once('response', (res: IncomingMessage) => {
          clearTimeout(waiting);
          if (o.bodyTimeout) {
            res.setTimeout(o.bodyTimeout, () => res.destroy(Object.assign(new Error('body timeout'), { code: 'UND_ERR_BODY_TIMEOUT' })));
          }
          const body = res as IncomingMessage & ResponseBody;
          body.dump = async () => {
            res.resume();
            await finished(res).catch(() => undefined);
          };
          resolve({ statusCode: res.statusCode ?? 0, headers: distinct(res.headersDistinct), body });
        });
        const b = o.body;
        if (b === undefined || typeof b === 'string' || Buffer.isBuffer(b)) {
          req.end(b);
        } else {
          b.once('error', (err) => req.destroy(err)); // a body's own error (a digest check) is what fails
          b.pipe(req);
        }
      });
    },
    async close() {
      http.destroy();
      (await https)?.agent.destroy();
    },
  };
}

/** Header values as undici gives them: a string, or an array when the header came several times. */
function distinct(headers: NodeJS.Dict<string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v) out[k] = v.length === 1 ? v[0]! : v;
  return out;
}

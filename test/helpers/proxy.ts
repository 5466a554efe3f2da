import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What to do with one request: answer it instead of forwarding, drop the connection, or forward it and then
 * break the response body (cut the connection after `cutAfter` bytes, or flip one byte in the middle).
 */
export type Fault =
  | { status: number; headers?: Record<string, string>; body?: string }
  | 'drop'
  | { cutAfter: number }
  | { stallAfter: number }
  | { corrupt: true };

export interface ProxyOptions {
  /** Changes the path and query sent upstream (e.g. to lower a page size). */
  rewrite?: (url: URL) => URL;
  /** Returns a fault for a request to inject it, or undefined to forward it. */
  fault?: (method: string, url: URL) => Fault | undefined;
  /** Headers to add to a forwarded response (e.g. Docker Hub's rate-limit headers). */
  addHeaders?: (method: string, url: URL) => Record<string, string> | undefined;
}

export interface ProxyHandle {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  /** '127.0.0.1:PORT' */
  host: string;
  /** Every request as `METHOD path?query`, as received (before rewriting). */
  requests: string[];
  /** TCP connections clients opened to the proxy. */
  readonly connections: number;
  /** Response body bytes sent to clients, per request path (`/v2/…/blobs/sha256:…`). */
  bytesSent: Map<string, number>;
  /** The requests a fault was applied to, as `METHOD path?query` (so a test can tell its faults fired). */
  faulted: string[];
  stop(): Promise<void>;
}

/**
 * A plain-http reverse proxy in front of a real registry, to inject faults and rewrite requests. Responses
 * pass through unchanged, with `Location`/`Link` left as the registry wrote them (relative URLs resolve
 * against the proxy).
 */
export async function startProxy(upstream: string, opts: ProxyOptions = {}): Promise<ProxyHandle> {
  const target = new URL(upstream);
  const requests: string[] = [];
  const bytesSent = new Map<string, number>();
  const faulted: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    requests.push(`${req.method} ${req.url}`);
    const fault = opts.fault?.(req.method ?? 'GET', new URL(req.url ?? '/', target));
    if (fault) faulted.push(`${req.method} ${req.url}`);
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, fault.headers).end(fault.body ?? '');
      return;
    }
    const url = (opts.rewrite ?? ((u: URL) => u))(new URL(req.url ?? '/', target));
    const up = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: url.pathname + url.search, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, { ...upRes.headers, ...opts.addHeaders?.(req.method ?? 'GET', url) });
        const path = url.pathname;
        const write = res.write.bind(res);
        res.write = ((chunk: Buffer, ...rest: never[]) => {
          bytesSent.set(path, (bytesSent.get(path) ?? 0) + chunk.length);
          return write(chunk, ...rest);
        }) as typeof res.write;
        if (fault && 'stallAfter' in fault) {
          // Sends the first bytes, then holds the connection open without sending more (a transfer to interrupt).
          let sent = 0;
          upRes.on('data', (chunk: Buffer) => {
            const room = fault.stallAfter - sent;
            if (room > 0) res.write(chunk.subarray(0, room));
            sent += chunk.length;
          });
          return;
        }
        if (fault && 'cutAfter' in fault) {
          let sent = 0;
          upRes.on('data', (chunk: Buffer) => {
            const room = fault.cutAfter - sent;
            if (room > 0) res.write(chunk.subarray(0, room));
            sent += chunk.length;
            if (sent >= fault.cutAfter) {
              upRes.destroy();
              res.socket?.destroy();
            }
          });
          return;
        }
        if (fault && 'corrupt' in fault) {
          const chunks: Buffer[] = [];
          upRes.on('data', (c: Buffer) => chunks.push(c));
          upRes.on('end', () => {
            const body = Buffer.concat(chunks);
            if (body.length) body[Math.floor(body.length / 2)]! ^= 0xff;
            res.end(body);
          });
          return;
        }
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return listenLoopback(server, requests, bytesSent, faulted);
}

/** Starts `server` on a free loopback port: the handle of a proxy that logs into `requests` (and `bytesSent`, `faulted`). */
export async function listenLoopback(server: Server, requests: string[], bytesSent = new Map<string, number>(), faulted: string[] = []): Promise<ProxyHandle> {
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    get connections() {
      return connections;
    },
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    bytesSent,
    faulted,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

// A TCP relay that gives loopback a real network's latency (netem is not available on these kernels): every chunk
// is held RTT/2 in each direction, in order, and a new connection's first bytes wait one more RTT, the TCP handshake
// a real network charges before a client may send. TLS passes through untouched.
//
// It counts what the tools cost on such a network: connections, and round trips = flights of client data (a client
// chunk after the server has spoken, or the first of a connection: a TLS handshake step, a request).
import { connect, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Counts {
  connections: number;
  roundTrips: number;
}

export interface LatencyProxy {
  /** '127.0.0.1:PORT' */
  host: string;
  port: number;
  counts: Counts;
  reset(): void;
  stop(): Promise<void>;
}

/** Delivers chunks to `dst` at `now + delay`, never before an earlier chunk. */
function delayedPipe(dst: Socket, delayMs: number, firstExtraMs: number): { push(chunk: Buffer | null): void } {
  const queue: { at: number; chunk: Buffer | null }[] = [];
  let last = 0;
  let extra = firstExtraMs;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const now = Date.now();
    while (queue.length && queue[0]!.at <= now) {
      const { chunk } = queue.shift()!;
      if (chunk === null) dst.end();
      else if (!dst.destroyed) dst.write(chunk);
    }
    if (queue.length) timer = setTimeout(flush, queue[0]!.at - now);
  };
  return {
    push(chunk) {
      last = Math.max(Date.now() + delayMs + extra, last);
      extra = 0;
      queue.push({ at: last, chunk });
      timer ??= setTimeout(flush, last - Date.now());
    },
  };
}

export async function startLatencyProxy(upstreamPort: number, rttMs: number): Promise<LatencyProxy> {
  const counts: Counts = { connections: 0, roundTrips: 0 };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    counts.connections++;
    const upstream = connect(upstreamPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    const toServer = delayedPipe(upstream, rttMs / 2, rttMs);
    const toClient = delayedPipe(client, rttMs / 2, 0);
    let serverSpoke = true;
    client.on('data', (chunk: Buffer) => {
      if (serverSpoke) counts.roundTrips++;
      serverSpoke = false;
      toServer.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      serverSpoke = true;
      toClient.push(chunk);
    });
    client.on('end', () => toServer.push(null));
    upstream.on('end', () => toClient.push(null));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    port,
    counts,
    reset() {
      counts.connections = 0;
      counts.roundTrips = 0;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

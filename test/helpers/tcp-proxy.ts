import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface TcpProxy {
  /** '127.0.0.1:PORT' */
  host: string;
  /** Connections clients opened so far. */
  opened(): number;
  /** Connections open now. */
  open(): number;
  stop(): Promise<void>;
}

/**
 * A TCP pass-through to 127.0.0.1:`port` that counts the connections clients open; TLS goes through untouched (the
 * test certificates are for 127.0.0.1, which the proxy is too).
 */
export async function startTcpProxy(port: number): Promise<TcpProxy> {
  let opened = 0;
  const clients = new Set<Socket>();
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    opened++;
    clients.add(client);
    client.on('close', () => clients.delete(client));
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s)).on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    opened: () => opened,
    open: () => clients.size,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

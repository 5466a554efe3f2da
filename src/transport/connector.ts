import { lookup as systemLookup } from 'node:dns';
import type { LookupFunction, Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { buildConnector } from 'undici';
import { NetworkError } from '../errors.js';
import { isLinkLocal } from './url-safety.js';

/** TLS settings for one host: its CAs (certs.d, configured `ca`) or no verification (`insecure`). */
export type TlsFor = (hostPort: string) => Promise<ConnectionOptions>;

export interface ConnectorOptions {
  /** The registry the user named (HOST[:PORT]): the one host that may be at any address. */
  registry: string;
  tlsFor: TlsFor;
  /** TCP + TLS handshake; name resolution gets as long again. */
  timeoutMs: number;
  /** Name resolution (default: the system's); a test's resolver stub goes here. */
  dnsLookup?: LookupFunction;
}

/** A pool's connection maker, and a way to give up the connections it is still making (when the pool closes). */
interface GuardedConnector {
  connect: buildConnector.connector;
  /** Destroys every connection not yet made (a TLS handshake that never ends would hold the pool's close). */
  abandon(): void;
}

/**
 * Makes every connection of a registry's pool — to the registry, its token realm, a blob redirect, an upload
 * `Location` — and checks the address it reached, after name resolution: a host other than the registry itself
 * that resolves to a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, fd00:ec2::254) is dropped
 * before any request is written on it, so no DNS answer can route credentials around the URL checks. Each host
 * gets its own TLS settings (a realm on another host is verified with that host's `ca`, or not when `insecure`).
 * A resolver that never answers fails the connection after `timeoutMs` (ERR_DNS), rather than leaving it pending.
 */
export function guardedConnector(opts: ConnectorOptions): GuardedConnector {
  const own = hostnameOf(opts.registry);
  const refusal = (hostPort: string, address: string) => new NetworkError(`refused to connect to ${hostPort}: it resolves to the link-local address ${address}`, {
    code: 'ERR_ADDRESS_REFUSED',
    hint: `only the registry itself (${opts.registry}) may be on a link-local address; its token realm, redirects and upload locations may not`,
  });
  // Names are checked as they resolve (no connection is even attempted); IP literals, which skip the lookup, once
  // the socket is connected, before anything is written on it.
  const resolve = answerWithin(opts.dnsLookup ?? (systemLookup as LookupFunction), opts.timeoutMs);
  const lookup: LookupFunction = (hostname, options, callback) => resolve(hostname, options, (err, address, family) => {
    const all = Array.isArray(address) ? address.map((a) => a.address) : [address];
    const bad = err || hostname.toLowerCase() === own ? undefined : all.find((a) => isLinkLocal(a));
    if (bad !== undefined) return void callback(refusal(hostname, bad), '', 0);
    (callback as (...args: unknown[]) => void)(err, address, family);
  });
  const connectors = new Map<string, Promise<buildConnector.connector>>();
  const connectorFor = (hostPort: string, https: boolean) => {
    const key = https ? hostPort : '';
    let c = connectors.get(key);
    if (!c) {
      c = (https ? opts.tlsFor(hostPort) : Promise.resolve({})).then((tls) =>
        buildConnector({ ...tls, timeout: opts.timeoutMs, lookup }));
      connectors.set(key, c);
    }
    return c;
  };
  const connecting = new Set<Socket>();
  const connect: buildConnector.connector = (options, callback) => {
    const hostPort = options.host ?? options.hostname;
    connectorFor(hostPort, options.protocol === 'https:').then((make) => {
      const socket = (make as (o: typeof options, cb: Parameters<buildConnector.connector>[1]) => Socket)(options, (err, s) => {
        connecting.delete(socket);
        if (err || !s) return void callback(err ?? new Error('no socket'), null);
        const address = s.remoteAddress;
        if (options.hostname.toLowerCase() !== own && address !== undefined && isLinkLocal(address)) {
          s.destroy();
          return void callback(refusal(hostPort, address), null);
        }
        callback(null, s);
      });
      connecting.add(socket);
    }, (err: Error) => callback(err, null));
  };
  return {
    connect,
    abandon: () => {
      // with an error: a socket destroyed without one never tells undici its connection failed
      for (const socket of connecting) socket.destroy(Object.assign(new Error('the connection pool closed'), { code: 'UND_ERR_CLOSED' }));
    },
  };
}

/**
 * `lookup`, failing with ETIMEOUT when it has not answered within `ms` (a resolver that never calls back would leave
 * the connection, and the call, pending with nothing to end it) or when it throws; a late answer is dropped.
 */
function answerWithin(lookup: LookupFunction, ms: number): LookupFunction {
  return (hostname, options, callback) => {
    let answered = false;
    const answer = (...args: unknown[]) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      (callback as (...a: unknown[]) => void)(...args);
    };
    const timer = setTimeout(() => answer(Object.assign(new Error(`no answer from the name resolver for ${hostname} within ${ms} ms`), { code: 'ETIMEOUT', hostname }), '', 0), ms);
    try {
      lookup(hostname, options, answer as Parameters<LookupFunction>[2]);
    } catch (err) {
      answer(err, '', 0);
    }
  };
}

/** The hostname of HOST[:PORT] or [IPv6][:PORT], lowercased, without brackets (as undici passes it). */
function hostnameOf(hostPort: string): string {
  const h = hostPort.startsWith('[') ? hostPort.slice(1, hostPort.indexOf(']')) : hostPort.replace(/:\d+$/, '');
  return h.toLowerCase();
}

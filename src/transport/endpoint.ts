import type { RegistryEntry } from '../config/regctl-settings.js';
import { UsageError } from '../errors.js';

/** Where a registry's API is reached: candidate base URLs in the order to try, and whether TLS is verified. */
export interface Endpoint {
  registry: string;
  /** Host[:port] used for certs.d lookups. */
  host: string;
  candidates: URL[];
  tlsVerify: boolean;
}

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'registry-1.docker.io';
export const DOCKER_HUB_SEARCH = 'https://index.docker.io';

/**
 * docker.io → https://registry-1.docker.io. A configured `endpoint` wins. Plain http is tried after https only
 * for loopback hosts and hosts marked insecure, like docker; insecure hosts also skip TLS verification.
 */
export function resolveEndpoint(registry: string, cfg: RegistryEntry | undefined, insecureFlag: boolean): Endpoint {
  const insecure = insecureFlag || cfg?.insecure === true;
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  if (cfg?.endpoint) {
    return { registry, host: new URL(cfg.endpoint).host, candidates: [new URL(cfg.endpoint)], tlsVerify: !insecure };
  }
  const candidates = [hostUrl('https', host)];
  if (insecure || isLoopback(host)) candidates.push(hostUrl('http', host));
  return { registry, host, candidates, tlsVerify: !insecure };
}

function hostUrl(scheme: string, host: string): URL {
  // References parse any port, as distribution's grammar has no range; connecting refuses one out of range.
  const port = /:(\d+)$/.exec(host)?.[1];
  const hint = 'a registry is HOST[:PORT] with a port from 1 to 65535, or [IPv6][:PORT]';
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
    throw new UsageError(`invalid registry host "${host}": invalid port ${port.slice(0, 20)}`, { hint });
  }
  try {
    return new URL(`${scheme}://${host}`);
  } catch {
    throw new UsageError(`invalid registry host "${host}"`, { hint });
  }
}

/** localhost, 127.0.0.0/8 and ::1, with or without a port. */
export function isLoopback(hostPort: string): boolean {
  const bareIpv6 = !hostPort.startsWith('[') && hostPort.indexOf(':') !== hostPort.lastIndexOf(':');
  const host = hostPort.startsWith('[') ? hostPort.slice(1, hostPort.indexOf(']')) : bareIpv6 ? hostPort : hostPort.replace(/:\d+$/, '');
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The v1 search base for a registry: configured, Docker Hub's index, or undefined (use the catalog). */
export function searchBase(registry: string, cfg: RegistryEntry | undefined): string | undefined {
  if (cfg?.search) return cfg.search;
  return registry === DOCKER_HUB ? DOCKER_HUB_SEARCH : undefined;
}

/**
 * Registry host names as docker's credential stores see them. Pure functions, no I/O.
 *
 * Grammar of what users type at `login`/`logout` (normalizeServer):
 *   server   := [scheme "://"] host [":" port] ["/" anything]
 *   scheme   := "http" | "https"                      (case-insensitive, dropped)
 *   host     := DNS name or IPv4 (letters, digits, "-", ".") | "[" IPv6 "]"   (lower-cased)
 * `docker.io`, `index.docker.io`, `registry-1.docker.io` (any path, e.g. `https://index.docker.io/v1/`) → `docker.io`.
 *
 * Keys in config.json `auths` (credentialKey): Docker Hub is stored under exactly `https://index.docker.io/v1/`
 * (moby `registry.IndexServer`), every other registry under `host[:port]`. Older files may hold
 * `https://host/v1/` or `http://host`; keyMatches reduces a key to its host the way docker/cli's
 * `credentials.ConvertToHostname` does (cli/config/credentials/file_store.go).
 */
import { UsageError } from '../errors.js';

/** The config.json key for Docker Hub credentials. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';
/** The canonical registry name for Docker Hub in references. */
export const DOCKER_HUB_REGISTRY = 'docker.io';

const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** True for the host names that mean Docker Hub. */
export function isDockerHub(host: string): boolean {
  return HUB_HOSTS.has(host.trim().toLowerCase());
}

/** The key docker uses in config.json (`auths`, `credHelpers`) and passes to credential helpers as ServerURL. */
export function credentialKey(registry: string): string {
  const host = convertToHostname(registry.trim()).toLowerCase();
  return isDockerHub(host) ? DOCKER_HUB_KEY : host;
}

/**
 * docker/cli `ConvertToHostname`: `https://host:port/path` → `host:port`; `host/path` → `host`.
 * A string without `://` is cut at the first `/`.
 */
export function convertToHostname(maybeURL: string): string {
  if (maybeURL.includes('://')) {
    try {
      const u = new URL(maybeURL);
      if (u.hostname !== '') return u.port === '' ? u.hostname : `${u.hostname}:${u.port}`;
    } catch {
      // fall through to the plain cut, as docker does when url.Parse fails
    }
  }
  const slash = maybeURL.indexOf('/');
  return slash === -1 ? maybeURL : maybeURL.slice(0, slash);
}

const HOST_RE = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$/;

/** The registry host from what a user types at `login`/`logout`. Throws UsageError for empty or malformed input. */
export function normalizeServer(input: string): string {
  let s = input.trim();
  if (s === '') throw new UsageError('registry server name is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s);
  if (scheme) {
    if (!/^https?$/i.test(scheme[1]!)) {
      throw new UsageError(`unsupported scheme in registry server "${scheme[1]}://": use a host name such as registry.example.com:5000`);
    }
    s = s.slice(scheme[0].length);
  }
  const slash = s.indexOf('/');
  if (slash !== -1) s = s.slice(0, slash);
  s = s.toLowerCase();
  if (s === '') throw new UsageError(`invalid registry server "${input.trim()}": no host name`);
  if (s.includes('@')) throw new UsageError('the registry server must not contain credentials (user@host); pass -u instead');
  if (!HOST_RE.test(s)) throw new UsageError(`invalid registry server "${s}": expected host[:port]`);
  return isDockerHub(s) ? DOCKER_HUB_REGISTRY : s;
}

/** Does a config.json key (`https://host/v1/`, `http://host`, `host`, `host:port`) refer to this registry? */
export function keyMatches(key: string, registry: string): boolean {
  const k = convertToHostname(key.trim()).toLowerCase();
  const r = convertToHostname(registry.trim()).toLowerCase();
  if (k === '' || r === '') return false;
  if (isDockerHub(r)) return isDockerHub(k);
  return k === r;
}

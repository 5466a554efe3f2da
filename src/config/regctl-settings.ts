import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Env } from '../util/env.js';

/**
 * regctl's own configuration: `$REGCTL_CONFIG`, else `${XDG_CONFIG_HOME:-~/.config}/regctl/config.json`.
 *
 *   {"registries": {"HOST[:PORT]": {"endpoint": "http://127.0.0.1:5000", "search": "http://127.0.0.1:5003",
 *     "insecure": true, "ca": "/path/ca.pem", "mirrors": ["https://mirror.example"]}},
 *    "policy": "/path/policy.json"}
 *
 * `policy` is the containers-policy.json(5) file copy, pull, sync, save and load judge images by when not given
 * one: a path (relative to the config file's folder), or `system` (containers/image's choice:
 * `$HOME/.config/containers/policy.json` when it exists, else `/etc/containers/policy.json`).
 */
export interface RegistryEntry {
  /** Base URL where this registry's API is reached, instead of https://HOST. */
  endpoint?: string;
  /** Base URL of the v1 search API. */
  search?: string;
  /** Skip TLS verification and allow plain http. */
  insecure?: boolean;
  /** Extra CA bundle (PEM file) trusted for this registry. */
  ca?: string;
  /** Extra CA certificates (PEM text) trusted for this registry (createContext's `registries[HOST].ca`; not read from config.json). */
  caCert?: string;
  /** A folder of `*.crt` CA files trusted for this registry (a sync file's `cert-dir`; not read from config.json). */
  certDir?: string;
  /** Pull-through mirrors, tried first for reads. */
  mirrors?: string[];
}

/**
 * A registry's settings given inline (createContext's `registries`), so that no file need be written: the keys of
 * regctl's config file, except that `ca` is the CA's PEM text rather than a file.
 */
export interface RegistrySettings {
  /** Base URL where this registry's API is reached, instead of https://HOST. */
  endpoint?: string;
  /** Base URL of the v1 search API. */
  search?: string;
  /** Skip TLS verification and allow plain http. */
  insecure?: boolean;
  /** CA certificates (PEM text: one or several `-----BEGIN CERTIFICATE-----` blocks) trusted for this registry. */
  ca?: string;
  /** Pull-through mirrors (base URLs), tried first for reads. */
  mirrors?: string[];
}

export interface RegctlSettings {
  path?: string;
  registries: Record<string, RegistryEntry>;
  /** The trust policy transfers use by default: an absolute path, or `system`. */
  policy?: string;
  /** Why the file at `path` was not used (regclient's own regctl reads `$REGCTL_CONFIG` too), for a warning. */
  ignored?: string;
}

export function settingsPath(env: Env, homedir: string): string {
  if (env.REGCTL_CONFIG) return env.REGCTL_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(homedir, '.config');
  return join(base, 'regctl', 'config.json');
}

export async function loadSettings(env: Env, homedir: string): Promise<RegctlSettings> {
  const path = settingsPath(env, homedir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { path, registries: {} };
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  // regclient's regctl (a Go tool of the same name) keeps {"hosts": {...}} in the file $REGCTL_CONFIG names.
  if (isObject(raw) && 'hosts' in raw && !('registries' in raw)) {
    return { path, registries: {}, ignored: `${path} is regclient's regctl configuration ("hosts"), not this regctl's: ignored` };
  }
  const registries = validateRegistries(raw, path);
  const policy = (raw as Record<string, unknown>).policy;
  if (policy === undefined) return { path, registries };
  if (typeof policy !== 'string' || policy === '') throw new ConfigError(`${path}: "policy" must be a policy.json path or "system"`);
  return { path, registries, policy: policy === 'system' ? policy : resolve(dirname(path), policy) };
}

/**
 * `config` with inline settings over it: each registry's keys replace the file's (a `ca` given inline is trusted
 * besides the file's). The settings were checked where they were given.
 */
export function withRegistrySettings(config: RegctlSettings, settings: Readonly<Record<string, RegistrySettings>>): RegctlSettings {
  const registries = { ...config.registries };
  for (const [host, { ca, ...rest }] of Object.entries(settings)) {
    const key = host.toLowerCase();
    registries[key] = { ...registries[key], ...rest, ...(ca !== undefined ? { caCert: ca } : {}) };
  }
  return { ...config, registries };
}

const TOP_KEYS = ['registries', 'policy'];
const REGISTRY_KEYS = ['endpoint', 'search', 'insecure', 'ca', 'mirrors'];

/** A misspelt key (`"endpoit"`) would silently do nothing: name it instead, with the keys that are known. */
function rejectUnknownKeys(o: Record<string, unknown>, known: string[], where: string): void {
  const unknown = Object.keys(o).find((k) => !known.includes(k));
  if (unknown !== undefined) {
    throw new ConfigError(`${where}: unknown key ${JSON.stringify(unknown)}`, { hint: `known keys: ${known.join(', ')}` });
  }
}

function validateRegistries(raw: unknown, path: string): Record<string, RegistryEntry> {
  if (!isObject(raw)) throw new ConfigError(`${path}: top level must be an object`);
  rejectUnknownKeys(raw, TOP_KEYS, path);
  const regs = raw.registries ?? {};
  if (!isObject(regs)) throw new ConfigError(`${path}: "registries" must be an object`);
  const out: Record<string, RegistryEntry> = {};
  for (const [host, value] of Object.entries(regs)) {
    const where = `${path}: registries["${host}"]`;
    if (!isObject(value)) throw new ConfigError(`${where} must be an object`);
    rejectUnknownKeys(value, REGISTRY_KEYS, where);
    const cfg: RegistryEntry = {};
    if (value.endpoint !== undefined) cfg.endpoint = baseUrl(value.endpoint, `${where}.endpoint`);
    if (value.search !== undefined) cfg.search = baseUrl(value.search, `${where}.search`);
    if (value.insecure !== undefined) {
      if (typeof value.insecure !== 'boolean') throw new ConfigError(`${where}.insecure must be true or false`);
      cfg.insecure = value.insecure;
    }
    if (value.ca !== undefined) {
      if (typeof value.ca !== 'string' || value.ca === '') throw new ConfigError(`${where}.ca must be a file path`);
      cfg.ca = value.ca;
    }
    if (value.mirrors !== undefined) {
      if (!Array.isArray(value.mirrors)) throw new ConfigError(`${where}.mirrors must be an array of URLs`);
      cfg.mirrors = value.mirrors.map((m, i) => baseUrl(m, `${where}.mirrors[${i}]`));
    }
    out[host.toLowerCase()] = cfg;
  }
  return out;
}

/** An http(s) base URL as the transport joins paths to it (no trailing slash); `fail` makes the error of a bad one. */
export function baseUrl(value: unknown, where: string, fail: (message: string) => Error = (m) => new ConfigError(m)): string {
  if (typeof value !== 'string') throw fail(`${where} must be a URL string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail(`${where}: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fail(`${where}: "${value}" must be an http or https URL`);
  }
  if (url.username || url.password) throw fail(`${where}: credentials do not belong in a URL; log in to the registry instead`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * docker's `config.json`: where it is, how its `auths` entries are encoded, and how to rewrite it without
 * losing anything regctl does not understand. Layout (docker/cli cli/config/configfile/file.go):
 *
 *   { "auths": { KEY: { "auth": base64("user:password"), "identitytoken": "…", "username", "password", … } },
 *     "credsStore": "pass", "credHelpers": { KEY: "helper-suffix" }, …every other key kept as is… }
 *
 * Also `DOCKER_AUTH_CONFIG` (docker/cli ≥ 28): a JSON `{"auths":{…}}` in the environment that wins over the file
 * for reads and is never written.
 */
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Credential } from './credential.js';
import { ConfigError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { withLock } from '../util/lock.js';
import type { Env } from '../util/env.js';
import { credentialKey, keyMatches } from './hostname.js';

export interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  [key: string]: unknown;
}

export interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

/** `$DOCKER_CONFIG/config.json`, else `HOME/.docker/config.json`. */
export function dockerConfigPath(env: Env, homedir: string): string {
  const dir = env['DOCKER_CONFIG'];
  return dir ? join(dir, 'config.json') : join(homedir, '.docker', 'config.json');
}

/** Reads and validates a config file in docker's format. A missing or empty file is `{}`. */
export async function readDockerConfig(path: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'read error'}`, { cause: err });
  }
  return parseDockerConfig(text, path);
}

/** Parses config text; `where` names the file (or env var) in errors. The content never appears in an error. */
export function parseDockerConfig(text: string, where: string): DockerConfig {
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // JSON.parse messages quote the input, which may hold secrets: report the position only.
    const pos = /at position (\d+)/.exec(String((err as Error).message));
    let at = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      const line = before.split('\n').length;
      at = ` (line ${line}, column ${before.length - before.lastIndexOf('\n')})`;
    }
    throw new ConfigError(`${where} is not valid JSON${at}`, { hint: 'fix the syntax error or move the file away' });
  }
  if (!isObject(data)) throw new ConfigError(`${where} is not valid: expected a JSON object`);
  if (data['auths'] !== undefined && data['auths'] !== null) {
    if (!isObject(data['auths'])) throw new ConfigError(`${where} is not valid: "auths" must be an object`);
    for (const [key, entry] of Object.entries(data['auths'])) {
      if (!isObject(entry)) throw new ConfigError(`${where} is not valid: auths["${key}"] must be an object`);
      for (const field of ['auth', 'username', 'password', 'identitytoken'] as const) {
        const v = entry[field];
        if (v !== undefined && v !== null && typeof v !== 'string') {
          throw new ConfigError(`${where} is not valid: auths["${key}"].${field} must be a string`);
        }
      }
    }
  }
  if (data['credsStore'] !== undefined && typeof data['credsStore'] !== 'string') {
    throw new ConfigError(`${where} is not valid: "credsStore" must be a string`);
  }
  if (data['credHelpers'] !== undefined && data['credHelpers'] !== null) {
    const ch = data['credHelpers'];
    if (!isObject(ch) || Object.values(ch).some((v) => typeof v !== 'string')) {
      throw new ConfigError(`${where} is not valid: "credHelpers" must map registry names to helper names`);
    }
  }
  return data as DockerConfig;
}

/**
 * Writes the config atomically with mode 0600. A symlinked config.json is written through to its target,
 * as docker does, so dotfile managers keep their link.
 */
export async function writeDockerConfig(path: string, config: DockerConfig): Promise<void> {
  let target = path;
  try {
    target = await realpath(path);
  } catch {
    // missing file (or dangling link): write at the given path
  }
  try {
    await atomicWriteFile(target, `${JSON.stringify(config, null, '\t')}\n`, 0o600);
  } catch (err) {
    throw new ConfigError(`cannot write ${target}: ${(err as NodeJS.ErrnoException).code ?? 'write error'}`, { cause: err });
  }
}

/**
 * Runs a read-modify-write of config.json under `config.json.lock` (between processes and callers), so parallel
 * logins to different registries each keep their entry. The write itself stays an atomic rename.
 */
export async function withConfigLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    return await withLock(lock, fn);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.syscall === 'string' && (e.path === lock || e.path === dirname(path))) {
      throw new ConfigError(`cannot lock ${path}: ${e.code ?? 'error'}`, { cause: err, hint: `check that ${dirname(path)} is writable` });
    }
    throw err;
  }
}

/**
 * The `auths` entry for a registry: the exact credential key first (`https://index.docker.io/v1/` for Hub),
 * then any legacy key that reduces to the same host (docker/cli fileStore.Get).
 */
export function findAuthEntry(auths: Record<string, AuthEntry> | undefined, registry: string): [string, AuthEntry] | undefined {
  if (!auths) return undefined;
  const key = credentialKey(registry);
  const exact = auths[key];
  if (exact) return [key, exact];
  for (const [k, entry] of Object.entries(auths)) {
    if (keyMatches(k, registry)) return [k, entry];
  }
  return undefined;
}

/** Turns an `auths` entry into a Credential; undefined when it holds none (e.g. docker's `{}` next to a helper). */
export function decodeAuthEntry(entry: AuthEntry, key: string, where: string): Credential | undefined {
  const cred: Credential = {};
  if (entry.auth) {
    const [username, password] = decodeAuth(entry.auth, key, where);
    cred.username = username;
    if (password !== '') cred.password = password;
  } else {
    if (entry.username) cred.username = entry.username;
    if (entry.password) cred.password = entry.password;
  }
  if (entry.identitytoken) cred.identityToken = entry.identitytoken;
  if (cred.password === undefined && cred.identityToken === undefined) return undefined;
  return cred;
}

/** Entry fields docker writes for a credential: `auth` = base64(user:password), plus `identitytoken`. */
export function encodeAuthEntry(cred: Credential): AuthEntry {
  const entry: AuthEntry = {};
  const user = cred.username ?? '';
  if (user.includes(':')) throw new ConfigError('a username containing ":" cannot be stored in config.json');
  const pass = cred.identityToken ? '' : (cred.password ?? '');
  if (user !== '' || pass !== '') entry.auth = Buffer.from(`${user}:${pass}`, 'utf8').toString('base64');
  if (cred.identityToken) entry.identitytoken = cred.identityToken;
  return entry;
}

/** An entry with every secret field removed (other fields such as `email` stay). */
export function withoutSecrets(entry: AuthEntry | undefined): AuthEntry {
  const rest: AuthEntry = { ...(entry ?? {}) };
  for (const f of ['auth', 'username', 'password', 'identitytoken', 'registrytoken']) delete rest[f];
  return rest;
}

/** True when an entry carries any secret. */
export function hasSecrets(entry: AuthEntry | undefined): boolean {
  return !!entry && ['auth', 'password', 'identitytoken', 'registrytoken'].some((f) => typeof entry[f] === 'string' && entry[f] !== '');
}

/** The `auths` map from `DOCKER_AUTH_CONFIG`, or undefined when the variable is unset or empty. */
export function envAuthConfig(env: Env): Record<string, AuthEntry> | undefined {
  const raw = env['DOCKER_AUTH_CONFIG'];
  if (raw === undefined || raw.trim() === '') return undefined;
  return parseDockerConfig(raw, 'the DOCKER_AUTH_CONFIG environment variable').auths ?? {};
}

const B64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeAuth(auth: string, key: string, where: string): [string, string] {
  const s = auth.trim();
  const bad = (what: string) =>
    new ConfigError(`invalid "auth" for "${key}" in ${where}: ${what}`, { hint: `log in again to ${key} or remove its entry from ${where}` });
  if (!B64_RE.test(s) || s.length % 4 === 1) throw bad('not base64');
  const decoded = Buffer.from(s, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw bad('expected base64 of "username:password" (no ":" found)');
  if (colon === 0) throw bad('the username is empty');
  return [decoded.slice(0, colon), decoded.slice(colon + 1).replace(/^\0+|\0+$/g, '')];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

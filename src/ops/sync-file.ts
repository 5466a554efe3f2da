/**
 * skopeo sync's YAML source file (`skopeo sync --src yaml`), read unchanged:
 *
 *   registry.example.com:              # a source registry (host[:port]); `docker.io` for Docker Hub
 *     images:                          # repository → tags or digests to copy; [] (or nothing) = every tag
 *       busybox: []
 *       redis: ["1.0", "2.0", "sha256:…"]
 *     images-by-tag-regex:             # repository → regular expression searched in each tag
 *       nginx: ^1\.13\.[12]-alpine-perl$
 *     images-by-semver:                # repository → semver range (skopeo ≥ 1.13)
 *       alpine: ">= 3.12.0"
 *     credentials: {username: john, password: secret}
 *     tls-verify: false                # default true; false also allows plain http
 *     cert-dir: /home/john/certs       # *.crt files: CAs trusted for this registry
 *
 * Scalars are read as written (YAML's failsafe schema), so `redis: [1.0]` names tag "1.0", as Go's YAML
 * decoder gives skopeo. Keys the format does not have are an error (a typo would otherwise copy nothing).
 */
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from '../errors.js';
import { parseRepository, type RepositoryName } from '../ref/parse.js';
import { isDigest, parseSelector } from '../ref/selector.js';
import { semverRange, tagRegex, type TagFilter } from './tag-filter.js';
import { MAX_SYNC_FILE_BYTES } from '../util/limits.js';

export interface SyncRegistry {
  /** The key as written: `registry.example.com`, `127.0.0.1:5000`, `docker.io`. */
  registry: string;
  /** The registry as references name it (`index.docker.io` → `docker.io`). */
  host: string;
  tlsVerify: boolean;
  certDir?: string;
  credentials?: { username?: string; password?: string; identityToken?: string };
  repositories: SyncRepository[];
}

/** One repository of a source registry and what to take from it. */
export interface SyncRepository {
  repository: RepositoryName;
  /** Tags or digests named in `images` (undefined: every tag, through `filter` when given). */
  references?: string[];
  filter?: TagFilter;
}

const REGISTRY_KEYS = ['images', 'images-by-tag-regex', 'images-by-semver', 'credentials', 'tls-verify', 'cert-dir'];

export async function readSyncFile(path: string): Promise<SyncRegistry[]> {
  let text: string;
  try {
    const { size } = await stat(path);
    if (size > MAX_SYNC_FILE_BYTES) throw tooLarge(path, size);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseSyncConfig(text, path);
}

function tooLarge(path: string, size: number): ConfigError {
  return new ConfigError(`${path} is too large for a sync file (${size} bytes; at most ${MAX_SYNC_FILE_BYTES})`, { hint: 'split it into several files' });
}

/** A sync file's text, at most MAX_SYNC_FILE_BYTES, its aliases limited (no YAML bomb): memory stays bounded. */
export function parseSyncConfig(text: string, path: string): SyncRegistry[] {
  if (Buffer.byteLength(text) > MAX_SYNC_FILE_BYTES) throw tooLarge(path, Buffer.byteLength(text));
  let doc: unknown;
  try {
    doc = parse(text, { schema: 'failsafe', uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(`${path} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (!isMap(doc)) throw new ConfigError(`${path}: the top level must map source registries to their images`);
  const out: SyncRegistry[] = [];
  for (const [registry, value] of Object.entries(doc)) {
    const where = `${path}: ${registry}`;
    if (!isMap(value)) throw new ConfigError(`${where}: must be a mapping (images, images-by-tag-regex, images-by-semver, …)`);
    const unknown = Object.keys(value).filter((k) => !REGISTRY_KEYS.includes(k));
    if (unknown.length) throw new ConfigError(`${where}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')}`, { hint: `known keys: ${REGISTRY_KEYS.join(', ')}` });
    const entry: SyncRegistry = { registry, host: repository(registry, 'x', where).registry, tlsVerify: bool(value['tls-verify'], `${where}.tls-verify`) ?? true, repositories: [] };
    const certDir = str(value['cert-dir'], `${where}.cert-dir`);
    if (certDir) entry.certDir = certDir;
    if (value.credentials !== undefined && value.credentials !== '') entry.credentials = credentials(value.credentials, `${where}.credentials`);
    for (const [image, refs] of entries(value.images, `${where}.images`)) {
      const at = `${where}.images.${image}`;
      if (refs !== '' && refs !== null && !Array.isArray(refs)) throw new ConfigError(`${at}: must be a list of tags or digests`);
      const references = (Array.isArray(refs) ? refs : []).map((r) => reference(r, at));
      entry.repositories.push({ repository: repository(registry, image, at), ...(references.length ? { references } : {}) });
    }
    for (const [image, pattern] of entries(value['images-by-tag-regex'], `${where}.images-by-tag-regex`)) {
      const at = `${where}.images-by-tag-regex.${image}`;
      entry.repositories.push({ repository: repository(registry, image, at), filter: { include: tagRegex(str(pattern, at) ?? '', at) } });
    }
    for (const [image, range] of entries(value['images-by-semver'], `${where}.images-by-semver`)) {
      const at = `${where}.images-by-semver.${image}`;
      entry.repositories.push({ repository: repository(registry, image, at), filter: { semver: semverRange(str(range, at) ?? '', at) } });
    }
    out.push(entry);
  }
  return out;
}

function repository(registry: string, image: string, where: string): RepositoryName {
  try {
    return parseRepository(`${registry}/${image}`);
  } catch (err) {
    throw new ConfigError(`${where}: ${(err as Error).message}`, { cause: err });
  }
}

function reference(value: unknown, where: string): string {
  if (typeof value !== 'string' || !value) throw new ConfigError(`${where}: each entry must be a tag or a digest`);
  try {
    parseSelector(value);
    return value;
  } catch (err) {
    throw new ConfigError(`${where}: "${value}" is not a valid ${isDigest(value) ? 'digest' : 'tag'}`, { cause: err });
  }
}

function credentials(value: unknown, where: string): NonNullable<SyncRegistry['credentials']> {
  if (!isMap(value)) throw new ConfigError(`${where}: must be a mapping with username and password`);
  const unknown = Object.keys(value).filter((k) => !['username', 'password', 'identitytoken'].includes(k));
  if (unknown.length) throw new ConfigError(`${where}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')}`);
  const username = str(value.username, `${where}.username`);
  const password = str(value.password, `${where}.password`);
  const identityToken = str(value.identitytoken, `${where}.identitytoken`);
  return { ...(username ? { username } : {}), ...(password ? { password } : {}), ...(identityToken ? { identityToken } : {}) };
}

function entries(value: unknown, where: string): Array<[string, unknown]> {
  if (value === undefined || value === null || value === '') return [];
  if (!isMap(value)) throw new ConfigError(`${where}: must map repositories to their tags`);
  return Object.entries(value);
}

function str(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ConfigError(`${where}: must be a string`);
  return value;
}

// Go's YAML decoder takes these spellings for a bool.
function bool(value: unknown, where: string): boolean | undefined {
  const text = str(value, where);
  if (text === undefined || text === '') return undefined;
  if (['true', 'True', 'TRUE'].includes(text)) return true;
  if (['false', 'False', 'FALSE'].includes(text)) return false;
  throw new ConfigError(`${where}: must be true or false, not "${text}"`);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

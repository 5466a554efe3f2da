import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credential } from '../auth/credential.js';
import type { Challenge } from './challenge.js';
import type { Token } from './token.js';

/** What a ping taught: the base URL that answered /v2/ and its challenge (none for an open registry). */
export interface PingRecord {
  base: string;
  challenge?: Challenge;
}

/** Where a cached ping or token may be used: the registry, the candidate URLs it was reached through. */
export interface TokenKey {
  registry: string;
  realm: string;
  service?: string;
  /** The merged scope set, sorted. */
  scopes: string[];
  credential?: Credential;
}

/** Pings are re-learned after a day even if nothing failed (a registry rarely changes its auth). */
const PING_TTL_MS = 24 * 3600_000;

/**
 * What one process learns about registries, kept for the next one in `dir` (regctl uses
 * `${XDG_CACHE_HOME:-~/.cache}/regctl`): ping results per registry and bearer tokens per registry, scope set and
 * credential identity (a hash of the credential, never the credential). One JSON file per entry, named by a hash
 * of its key, written to a temp file and renamed; the folder is 0700 and every file 0600. Best effort: a cache
 * that cannot be read or written is as good as an empty one, and never fails a command.
 */
export class TransportCache {
  private readonly dir: string;
  private ready?: Promise<boolean>;
  private readonly now: () => number;

  constructor(dir: string, now: () => number = Date.now) {
    this.dir = dir;
    this.now = now;
  }

  async ping(registry: string, candidates: URL[]): Promise<PingRecord | undefined> {
    const rec = await this.read(pingKey(registry, candidates));
    if (!rec || typeof rec.base !== 'string' || !candidates.some((c) => c.href === rec.base)) return undefined;
    return { base: rec.base as string, ...(rec.challenge ? { challenge: rec.challenge as Challenge } : {}) };
  }

  savePing(registry: string, candidates: URL[], rec: PingRecord): Promise<void> {
    return this.write(pingKey(registry, candidates), { ...rec, expiresAt: this.now() + PING_TTL_MS });
  }

  forgetPing(registry: string, candidates: URL[]): Promise<void> {
    return this.remove(pingKey(registry, candidates));
  }

  async token(key: TokenKey): Promise<Token | undefined> {
    const rec = await this.read(tokenKey(key));
    return rec && typeof rec.token === 'string' ? { token: rec.token, expiresAt: rec.expiresAt as number } : undefined;
  }

  /** Stores a token until its expiry (which already has requestToken's margin); the refresh token is not kept. */
  saveToken(key: TokenKey, token: Token): Promise<void> {
    return this.write(tokenKey(key), { token: token.token, expiresAt: token.expiresAt });
  }

  forgetToken(key: TokenKey): Promise<void> {
    return this.remove(tokenKey(key));
  }

  private file(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  private async read(key: string): Promise<Record<string, unknown> | undefined> {
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(await readFile(this.file(key), 'utf8'));
    } catch {
      return undefined;
    }
    if (typeof rec !== 'object' || rec === null || typeof rec.expiresAt !== 'number') return undefined;
    if (rec.expiresAt <= this.now()) {
      await this.remove(key);
      return undefined;
    }
    return rec;
  }

  private async write(key: string, value: object): Promise<void> {
    if (!(await this.ensureDir())) return;
    const file = this.file(key);
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(value), { mode: 0o600, flag: 'wx' });
      await rename(tmp, file);
    } catch {
      await unlink(tmp).catch(() => undefined);
    }
  }

  private async remove(key: string): Promise<void> {
    await unlink(this.file(key)).catch(() => undefined);
  }

  private ensureDir(): Promise<boolean> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 })
      .then(() => chmod(this.dir, 0o700))
      .then(() => true, () => false);
    return this.ready;
  }
}

/** The cache folder for an environment, or undefined when caching is off (`REGCTL_NO_CACHE=1`). */
export function cacheDir(env: Readonly<Record<string, string | undefined>>, homedir: string): string | undefined {
  if (env.REGCTL_NO_CACHE && env.REGCTL_NO_CACHE !== '0') return undefined;
  return join(env.XDG_CACHE_HOME || join(homedir, '.cache'), 'regctl');
}

const pingKey = (registry: string, candidates: URL[]): string => JSON.stringify(['ping', registry, candidates.map((c) => c.href)]);

const tokenKey = (k: TokenKey): string =>
  JSON.stringify(['token', k.registry, k.realm, k.service ?? '', k.scopes, credentialIdentity(k.credential)]);

/** Who a token was issued to, without the secret: a hash of the whole credential ('' when anonymous). */
export function credentialIdentity(cred: Credential | undefined): string {
  if (!cred) return '';
  return createHash('sha256').update(JSON.stringify([cred.username ?? '', cred.password ?? '', cred.identityToken ?? ''])).digest('hex');
}

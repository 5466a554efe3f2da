/**
 * The credential store regctl uses: docker's config.json and credential helpers, plus the containers auth.json.
 *
 * Lookup order for `get(registry)` (docker/cli cli/config/configfile/file.go `GetCredentialsStore`,
 * `getConfiguredCredentialStore`; credentials/native_store.go; credentials/file_store.go):
 *   1. DOCKER_AUTH_CONFIG entry for the registry (docker's memorystore sits in front of every other store).
 *   2. config.json: the helper named by `credHelpers[key]`, else by `credsStore`, is the ONLY source for the
 *      registry; docker does not fall back to `auths` when that helper has nothing (nativeStore.Get overwrites the
 *      file entry's username/password with the helper's answer). Without a helper: the `auths` entry.
 *   3. containers auth.json (REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, ~/.config/containers) when config.json gave nothing.
 * `key` is the credential key: `https://index.docker.io/v1/` for Docker Hub, `host[:port]` otherwise; docker looks
 * `credHelpers` up with that same key (cli/command/registry.go `ResolveAuthConfig` uses `registry.IndexServer` for
 * Hub), so Hub's helper entry is `"https://index.docker.io/v1/"`. regctl also accepts host-style keys
 * (`docker.io`, `http://host`) in `credHelpers`, after the exact key.
 */
import type { Credential, CredentialSource } from './credential.js';
import type { Env } from '../util/env.js';
import { ConfigError, findCause } from '../errors.js';
import { authJsonGet, findRegistryEntry } from './auth-json.js';
import {
  decodeAuthEntry,
  dockerConfigPath,
  encodeAuthEntry,
  envAuthConfig,
  findAuthEntry,
  hasSecrets,
  readDockerConfig,
  withoutSecrets,
  withConfigLock,
  writeDockerConfig,
  type DockerConfig,
} from './docker-config.js';
import { helperErase, helperGet, helperProgram, helperStore } from './helper.js';
import { credentialKey, keyMatches } from './hostname.js';

/** The helper suffix `--keychain` stores through: `docker-credential-regctl`. */
export const KEYCHAIN_HELPER = 'regctl';

export interface CredentialStoreOptions {
  env: Env;
  homedir: string;
  /** `--authfile`: a docker config.json or containers auth.json read (and written) instead of every default. */
  file?: string;
}

export interface SaveOptions {
  /** Store in the OS keychain through docker-credential-regctl and point `credHelpers` at it. */
  keychain?: boolean;
}

export interface SaveResult {
  /** Where the credentials went, for humans: the config.json path or `credential helper docker-credential-X`. */
  location: string;
  /** True when the secret sits base64-encoded in config.json. */
  plaintext: boolean;
}

export class CredentialStore implements CredentialSource {
  readonly env: Env;
  readonly homedir: string;
  readonly file: string | undefined;

  constructor(opts: CredentialStoreOptions) {
    this.env = opts.env;
    this.homedir = opts.homedir;
    this.file = opts.file;
  }

  /** Path of docker's config.json for this environment (the `--authfile` when one was given). */
  get settingsPath(): string {
    return this.file ?? dockerConfigPath(this.env, this.homedir);
  }

  async get(registry: string): Promise<Credential | undefined> {
    if (this.file !== undefined) return this.getFromFile(this.file, registry);
    const fromEnv = findAuthEntry(envAuthConfig(this.env), registry);
    if (fromEnv) {
      const cred = decodeAuthEntry(fromEnv[1], fromEnv[0], 'DOCKER_AUTH_CONFIG');
      if (cred) return cred;
    }
    const path = this.settingsPath;
    const cfg = await readDockerConfig(path);
    const helper = helperFor(cfg, registry);
    if (helper) {
      const cred = await keychainHints(helper, () => helperGet(helper, credentialKey(registry), this.env));
      if (cred) return cred;
    } else {
      const found = findAuthEntry(cfg.auths, registry);
      const cred = found && decodeAuthEntry(found[1], found[0], path);
      if (cred) return cred;
    }
    return (await authJsonGet(registry, this.env, this.homedir))?.credential;
  }

  /** `--authfile`: only that file, read as docker's config.json (helpers, then `auths`) with auth.json's keys. */
  private async getFromFile(path: string, registry: string): Promise<Credential | undefined> {
    const cfg = await readDockerConfig(path);
    const helper = helperFor(cfg, registry);
    if (helper) return keychainHints(helper, () => helperGet(helper, credentialKey(registry), this.env));
    const found = findRegistryEntry(cfg.auths, registry) ?? findAuthEntry(cfg.auths, registry);
    return found && decodeAuthEntry(found[1], found[0], path);
  }

  async save(registry: string, cred: Credential, opts: SaveOptions = {}): Promise<SaveResult> {
    if (!cred.identityToken && (cred.password === undefined || cred.password === '')) {
      throw new ConfigError('nothing to store: the credential has neither a password nor an identity token');
    }
    const path = this.settingsPath;
    return withConfigLock(path, () => this.saveLocked(path, registry, cred, opts));
  }

  private async saveLocked(path: string, registry: string, cred: Credential, opts: SaveOptions): Promise<SaveResult> {
    const cfg = await readDockerConfig(path);
    const before = JSON.stringify(cfg);
    const key = credentialKey(registry);
    const helper = opts.keychain ? KEYCHAIN_HELPER : helperFor(cfg, registry);
    let result: SaveResult;
    if (helper) {
      await keychainHints(helper, () => helperStore(helper, key, cred, this.env));
      if (opts.keychain && !(cfg.credHelpers?.[key] === KEYCHAIN_HELPER)) {
        cfg.credHelpers = { ...(cfg.credHelpers ?? {}), [key]: KEYCHAIN_HELPER };
      }
      // Like docker's nativeStore.Store: keep an `auths` entry without secrets, and drop any plaintext copy.
      cfg.auths = { ...(cfg.auths ?? {}), [key]: withoutSecrets(cfg.auths?.[key]) };
      result = { location: `credential helper ${helperProgram(helper)}`, plaintext: false };
    } else {
      const entry = { ...withoutSecrets(cfg.auths?.[key]), ...encodeAuthEntry(cred) };
      cfg.auths = { ...(cfg.auths ?? {}), [key]: entry };
      result = { location: path, plaintext: true };
    }
    if (JSON.stringify(cfg) !== before) await writeDockerConfig(path, cfg);
    return result;
  }

  /**
   * Removes the registry's credentials from its helper (credHelpers/credsStore) and every matching `auths` entry in
   * config.json. A `credHelpers` entry stays, as with `docker logout`. DOCKER_AUTH_CONFIG and auth.json are not
   * touched. False when nothing was stored.
   */
  async erase(registry: string): Promise<boolean> {
    const path = this.settingsPath;
    return withConfigLock(path, () => this.eraseLocked(path, registry));
  }

  private async eraseLocked(path: string, registry: string): Promise<boolean> {
    const cfg = await readDockerConfig(path);
    const key = credentialKey(registry);
    let removed = false;
    const helper = helperFor(cfg, registry);
    if (helper) {
      // get first: some helpers (docker-credential-pass) report a missing item on erase as a plain failure.
      if (await keychainHints(helper, () => helperGet(helper, key, this.env))) {
        removed = (await keychainHints(helper, () => helperErase(helper, key, this.env))) || removed;
      }
    }
    if (cfg.auths) {
      const auths = { ...cfg.auths };
      let changed = false;
      for (const k of Object.keys(auths)) {
        if (k === key || keyMatches(k, registry)) {
          if (hasSecrets(auths[k])) removed = true;
          delete auths[k];
          changed = true;
        }
      }
      if (changed) {
        cfg.auths = auths;
        await writeDockerConfig(path, cfg);
      }
    }
    return removed;
  }
}

/** The helper suffix config.json assigns to a registry: credHelpers (exact key, then host-style keys), else credsStore. */
export function helperFor(cfg: DockerConfig, registry: string): string | undefined {
  const key = credentialKey(registry);
  const helpers = cfg.credHelpers ?? {};
  const exact = helpers[key];
  if (exact) return exact;
  for (const [k, name] of Object.entries(helpers)) if (name && keyMatches(k, registry)) return name;
  return cfg.credsStore || undefined;
}

/** For docker-credential-regctl, turn its failures into the keychain error codes and hints the CLI shows. */
async function keychainHints<T>(helper: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = findCause(err, ConfigError);
    if (helper !== KEYCHAIN_HELPER || !e) throw err;
    if (e.code === 'ERR_CREDENTIAL_HELPER_NOT_FOUND') {
      throw new ConfigError(e.message, {
        code: e.code,
        hint: 'docker-credential-regctl is installed with regctl (npm install -g regctl); make sure npm\'s global bin directory is on PATH, or log in without option keychain', option: 'keychain',
        cause: err,
      });
    }
    const at = e.message.indexOf('OS keychain not available');
    if (at !== -1) {
      throw new ConfigError(e.message.slice(at), {
        code: 'ERR_KEYCHAIN_UNAVAILABLE',
        hint: 'run inside a desktop session with an unlocked Secret Service (gnome-keyring, KWallet, KeePassXC), or log in without option keychain', option: 'keychain',
        cause: err,
      });
    }
    throw err;
  }
}

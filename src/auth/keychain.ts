/**
 * The OS keychain through `@napi-rs/keyring` (keyring-rs), loaded lazily because it is an optional dependency.
 *
 * Storage scheme: one item per registry, service `regctl`, account = the ServerURL exactly as the docker
 * credential protocol passes it (`https://index.docker.io/v1/`, `localhost:5000`), password = JSON
 * `{"Username":"…","Secret":"…"}`. On Linux the item lives in the Secret Service (gnome-keyring, KWallet,
 * KeePassXC) with keyring-rs's attributes `service`/`username`/`target`; on macOS in the login keychain, on
 * Windows in the Credential Manager. Listing uses `findCredentials('regctl')`, so no separate index item is kept.
 *
 * On Linux the store is pinned to `secret-service`: keyring-rs would otherwise fall back silently to the kernel
 * keyutils keyring, which is in memory only and loses credentials at reboot. Without a D-Bus session or Secret
 * Service every call fails with ConfigError `ERR_KEYCHAIN_UNAVAILABLE`.
 *
 * The items do not match docker-credential-secretservice's (schema `io.docker.Credentials`, attributes
 * `server`/`username`/`docker_cli`), so that helper cannot read them and vice versa.
 */
import { ConfigError } from '../errors.js';

export const KEYCHAIN_SERVICE = 'regctl';
export const KEYCHAIN_UNAVAILABLE = 'ERR_KEYCHAIN_UNAVAILABLE';

export interface KeychainItem {
  username: string;
  secret: string;
}

type KeyringModule = typeof import('@napi-rs/keyring');

let loaded: Promise<KeyringModule> | undefined;

async function keyring(): Promise<KeyringModule> {
  loaded ??= import('@napi-rs/keyring').catch((err: unknown) => {
    loaded = undefined;
    throw new ConfigError(`OS keychain not available: cannot load @napi-rs/keyring (${firstLine(err)})`, {
      code: KEYCHAIN_UNAVAILABLE,
      hint: 'reinstall regctl with its optional dependencies (npm install --include=optional), or log in without option keychain', option: 'keychain',
      cause: err,
    });
  });
  return loaded;
}

const ENTRY_OPTIONS = { linux: { store: 'secret-service' as const } };

async function entry(serverURL: string) {
  const { AsyncEntry } = await keyring();
  return guard(() => new AsyncEntry(KEYCHAIN_SERVICE, serverURL, ENTRY_OPTIONS));
}

/** The item stored for `serverURL`, or undefined. */
export async function keychainGet(serverURL: string): Promise<KeychainItem | undefined> {
  const e = await entry(serverURL);
  const raw = await guardAsync(() => e.getPassword());
  if (raw === null || raw === undefined) return undefined;
  return parseItem(raw, serverURL);
}

/** Creates or replaces the item for `serverURL`. */
export async function keychainSet(serverURL: string, username: string, secret: string): Promise<void> {
  const e = await entry(serverURL);
  await guardAsync(() => e.setPassword(JSON.stringify({ Username: username, Secret: secret })));
}

/** Deletes the item for `serverURL`; false when there was none. */
export async function keychainDelete(serverURL: string): Promise<boolean> {
  const e = await entry(serverURL);
  return guardAsync(() => e.deletePassword());
}

/** Every stored item as ServerURL → Username. */
export async function keychainList(): Promise<Record<string, string>> {
  const { findCredentialsAsync, AsyncEntry } = await keyring();
  // Constructing a pinned entry first turns "no Secret Service" into an error; findCredentials alone reports [].
  const probe = guard(() => new AsyncEntry(KEYCHAIN_SERVICE, '__regctl_probe__', ENTRY_OPTIONS));
  await guardAsync(() => probe.getPassword());
  const found = await guardAsync(() => findCredentialsAsync(KEYCHAIN_SERVICE));
  const out: Record<string, string> = {};
  for (const c of found) {
    try {
      out[c.account] = parseItem(c.password, c.account).username;
    } catch {
      // not written by regctl: skip
    }
  }
  return out;
}

function parseItem(raw: string, serverURL: string): KeychainItem {
  try {
    const data = JSON.parse(raw) as Record<string, unknown>;
    if (typeof data['Secret'] === 'string') {
      return { username: typeof data['Username'] === 'string' ? data['Username'] : '', secret: data['Secret'] };
    }
  } catch {
    // fall through
  }
  throw new ConfigError(`the keychain item for ${serverURL} (service "${KEYCHAIN_SERVICE}") was not written by regctl`, {
    hint: `remove it with your keychain manager, then log in again`,
  });
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw translate(err);
  }
}

async function guardAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw translate(err);
  }
}

const HINT = 'run inside a desktop session with a Secret Service provider (gnome-keyring, KWallet, KeePassXC) unlocked, or log in without option keychain';

/** keyring-rs errors → one-line ConfigErrors. Its messages never contain the password. */
export function translate(err: unknown): ConfigError {
  if (err instanceof ConfigError) return err;
  const msg = firstLine(err);
  if (/d-?bus|autolaunch|zbus|DBUS_SESSION_BUS_ADDRESS|X11/i.test(msg)) {
    return new ConfigError('OS keychain not available (no D-Bus session / Secret Service)', { code: KEYCHAIN_UNAVAILABLE, hint: HINT, option: 'keychain', cause: err });
  }
  if (/platform storage|secret service|no result found|locked|no storage access|platform failure/i.test(msg)) {
    return new ConfigError('OS keychain not available (Secret Service has no unlocked default keyring)', { code: KEYCHAIN_UNAVAILABLE, hint: HINT, option: 'keychain', cause: err });
  }
  return new ConfigError(`OS keychain error: ${msg}`, { code: 'ERR_KEYCHAIN', cause: err });
}

function firstLine(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return (m.split('\n').find((l) => l.trim() !== '') ?? 'unknown error').trim().slice(0, 200);
}

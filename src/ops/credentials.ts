/**
 * The credentials an operation is given, per side: `creds`, `registryToken`, `anonymous` and `lookup` replace the
 * stored credentials for the registries the operation names (and nothing else: mirrors and other hosts keep
 * theirs); `authfile` replaces the default stores (DOCKER_AUTH_CONFIG, config.json, auth.json) with one file.
 * Each operation takes them as arguments (`credentials`, or `sourceCredentials` / `destinationCredentials` for a
 * transfer) and works in a context derived for each side here; nothing is kept in a shared context.
 */
import { stat } from 'node:fs/promises';
import type { Credential, CredentialSource } from '../auth/credential.js';
import { OverriddenCredentials, type CredentialOverride } from '../auth/override.js';
import { CredentialStore } from '../auth/store.js';
import { UsageError } from '../errors.js';
import type { RegistryClient } from '../transport/registry-client.js';
import type { Transport } from '../transport/transport.js';
import type { OpsContext } from './context.js';

export interface CredentialOptions {
  /** A username and password (or a token server's password) sent instead of the stored ones. */
  creds?: { username: string; password: string };
  /** A bearer token sent as is, no token exchange. */
  registryToken?: string;
  /** Send no credentials at all. */
  anonymous?: boolean;
  /** Read this docker config.json or containers auth.json instead of the default stores. */
  authfile?: string;
  /**
   * Asked for the credential of each registry the operation names; `undefined` falls back to the stored ones.
   * Called again when a token expires, so it may hand out short-lived passwords.
   */
  lookup?: (registry: string) => Credential | undefined | Promise<Credential | undefined>;
  /** false: plain http allowed and TLS not verified for these registries (skopeo's `--tls-verify=false`). */
  tlsVerify?: boolean;
}

/** The option of an operation on one registry (or on the registries its arguments name). */
export interface WithCredentials {
  /** Credentials for the registries the call names (stored ones when not given). */
  credentials?: CredentialOptions | undefined;
}

/** The options of an operation that reads from one place (`source`) and writes to another. */
export interface WithTransferCredentials {
  /** Credentials for the registries read from (stored ones when not given). */
  sourceCredentials?: CredentialOptions | undefined;
  /** Credentials for the registry written to (stored ones when not given). */
  destinationCredentials?: CredentialOptions | undefined;
}

/** One side of a transfer: the registries it names and the credentials it was given. */
export interface CredentialSide {
  registries: string[];
  credentials?: CredentialOptions | undefined;
}

/** How the exclusive options are called where they were given (the CLI's flags, or the library's option names). */
export type CredentialNames = Record<'creds' | 'registryToken' | 'anonymous' | 'lookup', string>;

const OPTION_NAMES: CredentialNames = { creds: 'creds', registryToken: 'registryToken', anonymous: 'anonymous', lookup: 'lookup' };

/** Refuses options that each say what to send (creds, token, anonymous, lookup): at most one may be given. */
export function checkCredentialOptions(options: CredentialOptions, names: CredentialNames = OPTION_NAMES): void {
  const given = (['creds', 'registryToken', 'anonymous', 'lookup'] as const).filter((k) => options[k] !== undefined && options[k] !== false);
  if (given.length > 1) throw new UsageError(`${given.map((k) => names[k]).join(' and ')} cannot be used together`);
  if (options.registryToken === '') throw new UsageError(`${names.registryToken} must not be empty`);
}

/**
 * The context one side of an operation works in: `credentials` apply to `registries` (its authfile's store, else the
 * context's, with the overrides on top); the same context when they say nothing. `option` names them in errors.
 */
export async function sideContext(ctx: OpsContext, registries: string[], credentials: CredentialOptions = {}, option = 'credentials'): Promise<OpsContext> {
  checkCredentialOptions(credentials);
  const store = await authFileStore(ctx, credentials.authfile, true, `${option}.authfile`);
  const source = overridden(store ?? ctx.credentials, registries, credentials);
  if (source === ctx.credentials && credentials.tlsVerify !== false) return ctx;
  const insecure = credentials.tlsVerify === false ? registries : [];
  return { ...ctx, ...(store ? { credentials: store } : {}), transport: derived(ctx, insecure, source, option) };
}

/** The client of one registry, `credentials` applied to it (sideContext for that registry alone). */
export async function sideClient(ctx: OpsContext, registry: string, credentials: CredentialOptions | undefined): Promise<RegistryClient> {
  return (await sideContext(ctx, [registry], credentials)).transport.client(registry);
}

/**
 * The contexts of a transfer's two sides: each side's credentials apply to its registries through its own transport,
 * so a source and a destination on one host (different repositories) each authenticate as given, like skopeo's
 * `--src-creds` / `--dest-creds`. Sides given the same options (or none) share one context.
 */
export async function transferContexts(ctx: OpsContext, source: CredentialSide, destination: CredentialSide): Promise<[OpsContext, OpsContext]> {
  if (source.credentials === destination.credentials) {
    const both = await sideContext(ctx, [...source.registries, ...destination.registries], source.credentials);
    return [both, both];
  }
  return Promise.all([
    sideContext(ctx, source.registries, source.credentials, 'sourceCredentials'),
    sideContext(ctx, destination.registries, destination.credentials, 'destinationCredentials'),
  ]);
}

/** login and logout with an authfile (the option named `option`): that file is the store (it may not exist yet). */
export async function authFileContext(ctx: OpsContext, file: string | undefined, option: string): Promise<OpsContext> {
  const store = await authFileStore(ctx, file, false, option);
  return store ? { ...ctx, credentials: store, transport: ctx.transport.withCredentials(store) } : ctx;
}

/** What the options say to send instead of the stored credentials; undefined when they say nothing. */
function credentialOverride(options: CredentialOptions): CredentialOverride | undefined {
  if (options.anonymous) return { anonymous: true };
  if (options.registryToken !== undefined) return { credential: { registryToken: options.registryToken } };
  if (options.creds) return { credential: { username: options.creds.username, password: options.creds.password } };
  if (options.lookup) return { lookup: options.lookup };
  return undefined;
}

/**
 * The transport with these credentials (given as `option`), and these registries insecure (plain http allowed, TLS not
 * verified). It shares the context's pools (those of the registries it leaves as they are) and tokens.
 */
function derived(ctx: OpsContext, insecure: string[], credentials: CredentialSource, option: string): Transport {
  const registries = insecure.length ? Object.fromEntries(insecure.map((r) => [r, { insecure: true }])) : undefined;
  return ctx.transport.derive({ ...(registries ? { registries } : {}), credentials: () => credentials, credentialsOption: option });
}

function overridden(base: CredentialSource, registries: string[], options: CredentialOptions): CredentialSource {
  const override = credentialOverride(options);
  return override ? new OverriddenCredentials(base, registries, override) : base;
}

async function authFileStore(ctx: OpsContext, file: string | undefined, mustExist: boolean, option: string): Promise<CredentialStore | undefined> {
  if (file === undefined) return undefined;
  if (!file) throw new UsageError(`option ${option}: must not be empty`, { option });
  const info = await stat(file).catch(() => undefined);
  if (info ? !info.isFile() : mustExist) {
    throw new UsageError(`option ${option} ${file}: no such file`, { option, hint: 'give a docker config.json or a containers auth.json' });
  }
  return new CredentialStore({ env: ctx.env, homedir: ctx.homedir, file });
}

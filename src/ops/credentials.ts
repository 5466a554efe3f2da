/**
 * Per-command credentials, shared by every command that reaches a registry and by both sides of a copy (and a
 * future sync): `--creds`, `--registry-token` and `--no-creds` replace the stored credentials for the registries
 * the command names (and nothing else: mirrors and other hosts keep theirs); `--authfile` replaces the default
 * stores (DOCKER_AUTH_CONFIG, config.json, auth.json) with one file.
 */
import { stat } from 'node:fs/promises';
import type { Credential, CredentialSource } from '../auth/credential.js';
import { OverriddenCredentials, type CredentialOverride } from '../auth/override.js';
import { CredentialStore } from '../auth/store.js';
import { UsageError } from '../errors.js';
import type { OpsContext } from './context.js';
import type { Transport } from '../transport/transport.js';
import { parseReference } from '../ref/parse.js';
import { parseLocation } from './transports/index.js';

export interface CredentialOptions {
  /** `--creds USER:PASS`. */
  creds?: { username: string; password: string };
  /** `--registry-token`: a bearer token sent as is. */
  registryToken?: string;
  /** `--no-creds`: anonymous. */
  anonymous?: boolean;
  /** `--authfile`: read this docker config.json or containers auth.json instead of the defaults. */
  authfile?: string;
  /** `--tls-verify=false`: plain http allowed and TLS not verified for these registries (skopeo's flag). */
  tlsVerify?: boolean;
}

/** One side of a transfer: the registries it names and the credentials it was given. */
export interface CredentialSide {
  registries: string[];
  options: CredentialOptions;
}

/** The context for a command on `registries` with these credentials (the same context when none were given). */
export async function withCredentials(ctx: OpsContext, registries: string[], options: CredentialOptions): Promise<OpsContext> {
  const store = await authFileStore(ctx, options.authfile);
  const source = overridden(store ?? ctx.credentials, registries, options);
  if (source === ctx.credentials && options.tlsVerify !== false) return ctx;
  return { ...ctx, ...(store ? { credentials: store } : {}), transport: derived(ctx, registries, options, source) };
}

/**
 * The context for a copy: each side's credentials apply to its registries through its own transport, so a
 * source and a destination on one host (different repositories) each authenticate as given, like skopeo's
 * `--src-creds` / `--dest-creds`. Sides given the same options share one transport.
 */
export async function withTransferCredentials(ctx: OpsContext, source: CredentialSide, destination: CredentialSide): Promise<OpsContext> {
  if (source.options === destination.options) {
    return withCredentials(ctx, [...source.registries, ...destination.registries], source.options);
  }
  const side = async (s: CredentialSide) => {
    const store = await authFileStore(ctx, s.options.authfile);
    const creds = overridden(store ?? ctx.credentials, s.registries, s.options);
    return creds === ctx.credentials && s.options.tlsVerify !== false ? undefined : derived(ctx, s.registries, s.options, creds);
  };
  const [src, dst] = await Promise.all([side(source), side(destination)]);
  return { ...ctx, ...(src ? { sourceTransport: src } : {}), ...(dst ? { destinationTransport: dst } : {}) };
}

/** login and logout with `--authfile`: that file is the store (it may not exist yet). */
export async function withAuthFile(ctx: OpsContext, file: string): Promise<OpsContext> {
  const store = await authFileStore(ctx, file, false);
  return { ...ctx, credentials: store!, transport: ctx.transport.withCredentials(store!) };
}

/** The registry a location names (`docker://REF` or a plain reference); none for oci:, docker-archive:, local:, …. */
export function transferRegistries(spec: string): string[] {
  if (parseLocation(spec).transport.name !== 'docker') return [];
  return [parseReference(spec.replace(/^docker:\/\//, '')).registry];
}

/** What the options say to send instead of the stored credentials; undefined when they say nothing. */
export function credentialOverride(options: CredentialOptions): CredentialOverride | undefined {
  const given = [options.creds && '--creds', options.registryToken !== undefined && '--registry-token', options.anonymous && '--no-creds'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} cannot be used together`);
  if (options.anonymous) return { anonymous: true };
  if (options.registryToken !== undefined) {
    if (!options.registryToken) throw new UsageError('--registry-token must not be empty');
    return { credential: { registryToken: options.registryToken } };
  }
  if (options.creds) {
    const credential: Credential = { username: options.creds.username, password: options.creds.password };
    return { credential };
  }
  return undefined;
}

/** The transport with these credentials, and these registries insecure when `--tls-verify=false` says so. */
function derived(ctx: OpsContext, registries: string[], options: CredentialOptions, credentials: CredentialSource): Transport {
  const insecure = options.tlsVerify === false ? Object.fromEntries(registries.map((r) => [r, { insecure: true }])) : undefined;
  return ctx.transport.derive({ ...(insecure ? { registries: insecure } : {}), credentials: () => credentials });
}

function overridden(base: CredentialSource, registries: string[], options: CredentialOptions): CredentialSource {
  const override = credentialOverride(options);
  return override ? new OverriddenCredentials(base, registries, override) : base;
}

async function authFileStore(ctx: OpsContext, file: string | undefined, mustExist = true): Promise<CredentialStore | undefined> {
  if (file === undefined) return undefined;
  if (!file) throw new UsageError('--authfile must not be empty');
  const info = await stat(file).catch(() => undefined);
  if (info ? !info.isFile() : mustExist) throw new UsageError(`--authfile ${file}: no such file`, { hint: 'give a docker config.json or a containers auth.json' });
  return new CredentialStore({ env: ctx.env, homedir: ctx.homedir, file });
}

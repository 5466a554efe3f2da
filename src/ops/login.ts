import { normalizeServer } from '../auth/hostname.js';
import type { Credential } from '../auth/credential.js';
import { UsageError } from '../errors.js';
import type { OpsContext } from './context.js';
import { authFileContext } from './credentials.js';

export interface LoginResult {
  registry: string;
  /** Where the credentials went, in words (a file path or a credential helper). */
  location: string;
  /** True when the secret was written to config.json in plain base64. */
  plaintext: boolean;
}

export interface LoginOptions {
  /** Store through docker-credential-regctl in the OS keychain (`credHelpers[host] = "regctl"`). */
  keychain?: boolean;
  /** Store in this docker config.json or containers auth.json instead of the default one. */
  authfile?: string;
}

/**
 * Checks the credentials against the registry, then stores them (nothing is stored when the check fails).
 * When the token server hands out a refresh token it is stored as the identity token instead of the password.
 */
export async function login(ctx: OpsContext, server: string | undefined, username: string, password: string, opts: LoginOptions = {}): Promise<LoginResult> {
  if (!username) throw new UsageError('option username: required', { option: 'username' });
  if (!password) throw new UsageError('option password: required', { option: 'password' });
  const registry = normalizeServer(server ?? 'docker.io');
  ctx = await authFileContext(ctx, opts.authfile, 'authfile');
  const cred: Credential = { username, password };
  const client = await ctx.transport.loginClient(registry, cred);
  const { identityToken } = await client.verifyLogin(cred);
  const stored: Credential = identityToken ? { username, identityToken } : cred;
  const where = await ctx.credentials.save(registry, stored, { keychain: opts.keychain ?? false });
  return { registry, ...where };
}

export interface LogoutOptions {
  /** Remove them from this docker config.json or containers auth.json instead of the default stores. */
  authfile?: string;
}

export interface LogoutResult {
  registry: string;
  /** False when no credentials were stored for it. */
  removed: boolean;
}

/** Removes stored credentials wherever they are; `removed` is false when there were none. */
export async function logout(ctx: OpsContext, server: string | undefined, opts: LogoutOptions = {}): Promise<LogoutResult> {
  const registry = normalizeServer(server ?? 'docker.io');
  ctx = await authFileContext(ctx, opts.authfile, 'authfile');
  return { registry, removed: await ctx.credentials.erase(registry) };
}

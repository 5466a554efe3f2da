import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import type { OpsContext } from '../ops/context.js';
import { transferRegistries, withCredentials, withTransferCredentials, type CredentialOptions } from '../ops/credentials.js';
import { canPrompt, prompt } from './prompt.js';

/** What commander hands over for the flags of addCredentialOptions (`--no-creds` sets `creds` to false). */
export interface CredentialFlags {
  creds?: string | false;
  registryToken?: string;
  authfile?: string;
  /** `--tls-verify[=true|false]` */
  tlsVerify?: boolean;
}

type Side = 'src' | 'dest';
type SideFlags = { [K in `${Side}Creds` | `${Side}RegistryToken` | `${Side}Authfile`]?: string } & { [K in `${Side}NoCreds` | `${Side}TlsVerify`]?: boolean };
export type TransferCredentialFlags = CredentialFlags & SideFlags;

/** The library context for a command on these registries, with the command's credential flags applied. */
export async function credentialContext(env: CommandEnv, flags: CredentialFlags, registries: string[]): Promise<OpsContext> {
  const options = await credentialOptions(env, flags);
  return withCredentials(await env.context(), registries, options);
}

/** The context for a transfer from `source` to `destination` (copy, sync): `--src-*` / `--dest-*` per side. */
export async function transferContext(env: CommandEnv, flags: TransferCredentialFlags, source: string, destination: string): Promise<OpsContext> {
  const [src, dst] = await transferOptions(env, flags);
  return withTransferCredentials(await env.context(),
    { registries: transferRegistries(source), options: src },
    { registries: transferRegistries(destination), options: dst });
}

/**
 * Each side's options: its own `--src-*` / `--dest-*` credential flag when given, else the plain one; the very
 * same object for both sides when no side flag is given (so they share one transport).
 */
export async function transferOptions(env: CommandEnv, flags: TransferCredentialFlags): Promise<[CredentialOptions, CredentialOptions]> {
  const plain = await credentialOptions(env, flags);
  const side = async (s: Side): Promise<CredentialOptions> => {
    const options = await credentialsOf(s);
    const tlsVerify = flags[`${s}TlsVerify`];
    return tlsVerify === undefined ? options : { ...options, tlsVerify };
  };
  const credentialsOf = async (s: Side): Promise<CredentialOptions> => {
    const own: CredentialFlags & { noCreds?: boolean } = {
      ...(flags[`${s}Creds`] !== undefined ? { creds: flags[`${s}Creds`] } : {}),
      ...(flags[`${s}RegistryToken`] !== undefined ? { registryToken: flags[`${s}RegistryToken`] } : {}),
    };
    const anonymous = flags[`${s}NoCreds`] ?? false;
    const authfile = flags[`${s}Authfile`];
    if (own.creds === undefined && own.registryToken === undefined && !anonymous && authfile === undefined) return plain;
    const named = [own.creds !== undefined && `--${s}-creds`, own.registryToken !== undefined && `--${s}-registry-token`, anonymous && `--${s}-no-creds`];
    const conflicting = named.filter((n): n is string => typeof n === 'string');
    if (conflicting.length > 1) throw new UsageError(`${conflicting.join(' and ')} cannot be used together`);
    const given = conflicting.length > 0;
    const options = given ? await credentialOptions(env, own, `--${s}-`) : { ...plain, authfile: undefined };
    if (anonymous) options.anonymous = true;
    const file = authfile ?? plain.authfile;
    return { ...options, ...(file !== undefined ? { authfile: file } : {}) };
  };
  return [await side('src'), await side('dest')];
}

/** Turns the flags into options, asking for a password left out of `--creds USER` when stdin is a terminal. */
export async function credentialOptions(env: CommandEnv, flags: CredentialFlags, prefix = '--'): Promise<CredentialOptions> {
  const options: CredentialOptions = {};
  if (flags.creds === false) options.anonymous = true;
  if (typeof flags.creds === 'string') options.creds = await parseCreds(env, flags.creds, `${prefix}creds`);
  if (flags.registryToken !== undefined) options.registryToken = flags.registryToken;
  if (flags.authfile !== undefined) options.authfile = flags.authfile;
  if (flags.tlsVerify !== undefined) options.tlsVerify = flags.tlsVerify;
  return options;
}

/** `USER:PASS` (split at the first colon, like skopeo), or `USER` and the password asked for on the terminal. */
async function parseCreds(env: CommandEnv, value: string, flag: string): Promise<{ username: string; password: string }> {
  const colon = value.indexOf(':');
  const username = colon === -1 ? value : value.slice(0, colon);
  if (!username) throw new UsageError(`${flag}: the username is empty`, { hint: `${flag} USER[:PASS]` });
  if (colon !== -1) return { username, password: value.slice(colon + 1) };
  if (!canPrompt(env.io)) {
    throw new UsageError(`${flag} ${username}: no password, and stdin is not a terminal to ask for one`, {
      hint: `give ${flag} ${username}:PASS, or log in once with regctl login -u ${username} --password-stdin`,
    });
  }
  const password = await prompt(env.io, `Password for ${username}: `, { echo: false });
  if (!password) throw new UsageError(`${flag} ${username}: the password is empty`);
  return { username, password };
}

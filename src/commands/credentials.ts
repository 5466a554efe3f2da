import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { checkCredentialOptions, type CredentialNames, type CredentialOptions } from '../api/credentials.js';
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

/**
 * Each side's options for a transfer (copy, sync): its own `--src-*` / `--dest-*` credential flags when given, else
 * the plain ones; the very same object for both sides when no side flag is given (so they share one transport).
 * `--src-tls-verify` / `--dest-tls-verify` apply to their side over the plain `--tls-verify`.
 */
export async function transferOptions(env: CommandEnv, flags: TransferCredentialFlags): Promise<[CredentialOptions, CredentialOptions]> {
  const plain = await credentialOptions(env, flags);
  const side = async (s: Side): Promise<CredentialOptions> => {
    const options = await credentialsOf(s);
    const tlsVerify = flags[`${s}TlsVerify`];
    return tlsVerify === undefined ? options : { ...options, tlsVerify };
  };
  const credentialsOf = async (s: Side): Promise<CredentialOptions> => {
    const own = { creds: flags[`${s}Creds`], registryToken: flags[`${s}RegistryToken`], noCreds: flags[`${s}NoCreds`] ?? false };
    const authfile = flags[`${s}Authfile`];
    const given = own.creds !== undefined || own.registryToken !== undefined || own.noCreds;
    if (!given && authfile === undefined) return plain;
    const options = given ? await credentialOptions(env, own, `--${s}-`) : { ...plain, authfile: undefined };
    const file = authfile ?? plain.authfile;
    const tls = plain.tlsVerify;
    return { ...options, ...(file !== undefined ? { authfile: file } : {}), ...(tls !== undefined ? { tlsVerify: tls } : {}) };
  };
  return [await side('src'), await side('dest')];
}

/**
 * Turns the flags into options, asking for a password left out of `--creds USER` when stdin is a terminal.
 * Flags that each say what to send are refused together (the library's one check, with the flags' names).
 */
export async function credentialOptions(env: CommandEnv, flags: CredentialFlags & { noCreds?: boolean }, prefix = '--'): Promise<CredentialOptions> {
  const anonymous = flags.creds === false || flags.noCreds === true;
  const names: CredentialNames = { creds: `${prefix}creds`, registryToken: `${prefix}registry-token`, anonymous: `${prefix}no-creds`, lookup: '' };
  checkCredentialOptions({
    ...(typeof flags.creds === 'string' ? { creds: { username: '', password: '' } } : {}),
    ...(flags.registryToken !== undefined ? { registryToken: flags.registryToken } : {}),
    anonymous,
  }, names);
  const options: CredentialOptions = {};
  if (anonymous) options.anonymous = true;
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

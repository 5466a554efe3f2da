// The library names options (`to`, `platform`, `credentials.registryToken`); the CLI names flags. A library error
// says `option NAME` and carries `option: NAME`; the CLI prints the flag instead (`--tag`, `--platform`,
// `--registry-token`) before the message reaches the user.
import { RegctlError } from '../errors.js';

const CREDENTIAL_FLAGS: Record<string, string> = { creds: 'creds', registryToken: 'registry-token', anonymous: 'no-creds', authfile: 'authfile', tlsVerify: 'tls-verify', lookup: 'creds' };
const SIDES: Record<string, string> = { credentials: '', sourceCredentials: 'src-', destinationCredentials: 'dest-' };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The flag of a library option: the command's own mapping (`{ to: '--tag' }`), else `--kebab-case` of its name. */
export function flagName(option: string, flags: Readonly<Record<string, string>> = {}): string {
  const own = flags[option];
  if (own) return own;
  const [head, rest] = option.split('.', 2) as [string, string | undefined];
  if (rest !== undefined && head in SIDES && rest in CREDENTIAL_FLAGS) return `--${SIDES[head]}${CREDENTIAL_FLAGS[rest]}`;
  return `--${kebab(option.replace(/\[\d+\]$/, ''))}`;
}

/** A library error as the CLI says it: `option NAME` in its message and hint become the flag. Others unchanged. */
export function inFlagTerms(err: unknown, flags?: Readonly<Record<string, string>>): unknown {
  if (!(err instanceof RegctlError) || err.option === undefined) return err;
  const flag = flagName(err.option, flags);
  const said = new RegExp(`\\boption ${err.option.replace(/[.[\]]/g, '\\$&')}(?![\\w.])`, 'g');
  err.message = err.message.replace(said, flag);
  if (err.hint) (err as { hint?: string }).hint = err.hint.replace(said, flag);
  return err;
}

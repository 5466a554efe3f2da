// The library names options (`to`, `platform`, `credentials.registryToken`); the CLI names flags. A library error
// says `option NAME` and carries `option: NAME`; the CLI prints the flag instead (`--tag`, `--platform`,
// `--registry-token`) before the message reaches the user.
import { RegctlError } from '../errors.js';

const CREDENTIAL_FLAGS: Record<string, string> = { creds: 'creds', registryToken: 'registry-token', anonymous: 'no-creds', authfile: 'authfile', tlsVerify: 'tls-verify', lookup: 'creds' };
const SIDES: Record<string, string> = { credentials: '', sourceCredentials: 'src-', destinationCredentials: 'dest-' };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The flag of a library option: the command's own mapping (`{ to: '--tag' }`), else `--kebab-case` of its name. An
 * element of a list option (`platforms[1]`) is the list's flag.
 */
export function flagName(option: string, flags: Readonly<Record<string, string>> = {}): string {
  const name = option.replace(/\[\d+\]$/, '');
  const own = flags[name];
  if (own) return own;
  const [head, rest] = name.split('.', 2) as [string, string | undefined];
  if (rest !== undefined && head in SIDES && rest in CREDENTIAL_FLAGS) return `--${SIDES[head]}${CREDENTIAL_FLAGS[rest]}`;
  return `--${kebab(name)}`;
}

/** `option NAME` as a library message says it: a camelCase name, a dotted path, an element of a list. */
const SAID = /\boption ([a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*(?:\[\d+\])?)(?![\w.[])/g;

/**
 * A library error as the CLI says it: every `option NAME` in its message and hint becomes that option's flag.
 * Errors about no option (`err.option` unset) are worded otherwise and left unchanged.
 */
export function inFlagTerms(err: unknown, flags?: Readonly<Record<string, string>>): unknown {
  if (!(err instanceof RegctlError) || err.option === undefined) return err;
  const say = (text: string) => text.replace(SAID, (_m, name: string) => flagName(name, flags));
  err.message = say(err.message);
  if (err.hint) (err as { hint?: string }).hint = say(err.hint);
  return err;
}

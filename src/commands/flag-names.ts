// The library names options (`to`, `platform`, `credentials.registryToken`); the CLI names flags. A library error
// says `option NAME` and carries `option: NAME`; the CLI prints the flag instead (`--tag`, `--platform`,
// `--registry-token`) before the message reaches the user.
import { RegctlError } from '../errors.js';

const CREDENTIAL_FLAGS: Record<string, string> = { creds: 'creds', registryToken: 'registry-token', anonymous: 'no-creds', authfile: 'authfile', tlsVerify: 'tls-verify', lookup: 'creds' };
const SIDES: Record<string, string> = { credentials: '', sourceCredentials: 'src-', destinationCredentials: 'dest-' };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The flag of a library option: the command's own mapping (`{ to: '--tag' }`), else `--kebab-case` of its name. */
export function flagName(option: string, flags: Readonly<Record<string, string>> = {}): string {
  const name = option.replace(/\[\d+\]$/, ''); // an item of a list option (`platform[1]`, `keepTags[0]`): the option's flag
  const own = flags[option] ?? flags[name];
  if (own) return own;
  const [head, rest] = name.split('.', 2) as [string, string | undefined];
  if (rest !== undefined && head in SIDES && rest in CREDENTIAL_FLAGS) return `--${SIDES[head]}${CREDENTIAL_FLAGS[rest]}`;
  return `--${kebab(name)}`;
}

/** Every `option NAME` a library text mentions (`say what to prune: option keep, option olderThanMs, …`). */
const OPTION_SAID = /\boption ([A-Za-z]\w*(?:\.[A-Za-z]\w*)*(?:\[\d+\])?)(?![\w.])/g;

/** A library text (an error's message or hint, a warning) as the CLI says it: each `option NAME` becomes the flag. */
export function inFlagText(text: string, flags?: Readonly<Record<string, string>>): string {
  return text.replace(OPTION_SAID, (_said, option: string) => flagName(option, flags));
}

/** A library error as the CLI says it: `option NAME` in its message and hint become the flag. Others unchanged. */
export function inFlagTerms(err: unknown, flags?: Readonly<Record<string, string>>): unknown {
  if (!(err instanceof RegctlError) || err.option === undefined) return err;
  err.message = inFlagText(err.message, flags);
  if (err.hint) (err as { hint?: string }).hint = inFlagText(err.hint, flags);
  return err;
}

import { readFile } from 'node:fs/promises';
import type { CommandEnv } from './command-env.js';
import { canPrompt, prompt } from './prompt.js';
import { UsageError } from '../errors.js';

/**
 * A key's passphrase as cosign takes it: `--passphrase-file FILE` (its first line), else `$COSIGN_PASSWORD` (set, even
 * empty), else asked on the terminal (twice when `confirm`, for a new key). Anything else is a UsageError saying how.
 */
export async function readPassphrase(env: CommandEnv, file: string | undefined, confirm: boolean): Promise<string> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--passphrase-file ${file}: ${(err as Error).message}`);
    }
    return text.split(/\r?\n/)[0] ?? '';
  }
  const fromEnv = env.io.env.COSIGN_PASSWORD;
  if (fromEnv !== undefined) return fromEnv;
  if (!canPrompt(env.io)) {
    throw new UsageError('no passphrase: set COSIGN_PASSWORD, give --passphrase-file, or run on a terminal to be asked', { hint: 'COSIGN_PASSWORD= (empty) means no passphrase, as in cosign' });
  }
  const first = await prompt(env.io, confirm ? 'Enter passphrase for the new private key: ' : 'Enter passphrase for the private key: ', { echo: false });
  if (confirm && (await prompt(env.io, 'Enter passphrase again: ', { echo: false })) !== first) throw new UsageError('the passphrases do not match');
  return first;
}

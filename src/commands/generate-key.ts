import type { CommandEnv } from './command-env.js';
import { generateKey } from '../api/trust.js';
import { renderGeneratedKey } from '../output/trust-results.js';
import { resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { defineCommand, type FlagsOf } from './define.js';
import { readPassphrase } from './passphrase.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .option('--output-key-prefix <prefix>', 'write PREFIX.key (the encrypted private key, mode 0600) and PREFIX.pub', 'cosign')
  .option('--passphrase-file <file>', 'read the passphrase from this file\'s first line (default: $COSIGN_PASSWORD, else asked on the terminal)')
  .option('--force', 'overwrite existing key files')
  .option('--format <format>', resultFormatHelp('the files written and the key\'s fingerprint', '{{.Fingerprint}}'));

async function generateKeyCommand(env: CommandEnv, flags: FlagsOf<typeof build>): Promise<void> {
  const format = resultFormat(flags.format);
  const passphrase = await readPassphrase(env, flags.passphraseFile, true);
  const result = await generateKey({ context: await env.context(), passphrase, prefix: flags.outputKeyPrefix, force: flags.force === true });
  env.io.stdout.write(renderGeneratedKey(format, result));
}

export default defineCommand({
  name: 'generate-key',
  summary: 'make an ECDSA P-256 key pair in cosign\'s format (cosign.key encrypted with a passphrase, cosign.pub)',
  registry: 'none',
  peers: 'cosign generate-key-pair',
  build,
  flags: { prefix: '--output-key-prefix', passphrase: '--passphrase-file' },
  examples: [
    ['COSIGN_PASSWORD=secret regctl generate-key', 'writes cosign.key (encrypted with "secret", mode 0600) and cosign.pub'],
    ['regctl generate-key --output-key-prefix release --passphrase-file pass.txt', 'writes release.key and release.pub, the passphrase read from pass.txt'],
  ],
  action: generateKeyCommand,
});

import type { CommandEnv } from './command-env.js';
import { sign } from '../api/trust.js';
import { renderSigned } from '../output/trust-results.js';
import { resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import { keyValues } from './key-values.js';
import { readPassphrase } from './passphrase.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference (or oci:DIR[:TAG]); a tag is resolved to its digest once, and the digest is signed')
  .requiredOption('--key <file>', 'the private key (cosign.key: cosign\'s encrypted PEM, or a PKCS#8 / SEC 1 ECDSA P-256 PEM)')
  .option('-a, --annotation <key=value>', 'a claim in the signed payload\'s "optional" section (repeatable)', collect, [] as string[])
  .option('--recursive', 'an index: also sign each platform\'s manifest')
  .option('--bundle', 'write cosign v3\'s Sigstore bundle (a DSSE statement about the digest) as an OCI 1.1 referrer instead of the sha256-<hex>.sig tag')
  .option('--identity <reference>', 'the docker reference to sign for (default: the image\'s repository; needed for an OCI layout)')
  .option('--passphrase-file <file>', 'read the key\'s passphrase from this file\'s first line (default: $COSIGN_PASSWORD, else asked on the terminal)')
  .option('--format <format>', resultFormatHelp('a line per manifest signed', '{{range .Signed}}{{.Digest}} {{.SignatureTag}}{{"\\n"}}{{end}}'));

async function signCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = resultFormat(flags.format);
  const annotations = keyValues(flags.annotation, '--annotation');
  const result = await sign(image, {
    context: await env.context(),
    key: flags.key,
    passphrase: () => readPassphrase(env, flags.passphraseFile, false),
    annotations,
    recursive: flags.recursive === true,
    identity: flags.identity,
    ...(flags.bundle ? { format: 'bundle' as const } : {}),
    credentials: await credentialOptions(env, flags),
  });
  env.io.stdout.write(renderSigned(format, result));
}

export default defineCommand({
  name: 'sign',
  summary: 'sign an image with a key in cosign\'s tag-based format (sha256-<hex>.sig) or, with --bundle, as a Sigstore bundle referrer (cosign v3); appends',
  registry: 'one',
  peers: 'cosign sign --key (v3: bundle); skopeo copy --sign-by-sigstore-private-key',
  build,
  flags: { annotations: '--annotation', passphrase: '--passphrase-file' },
  examples: [
    ['COSIGN_PASSWORD=secret regctl sign localhost:5000/app:1 --key cosign.key', 'signs the digest app:1 points at; the signature goes to the tag sha256-<hex>.sig'],
    ['regctl sign localhost:5000/app:1 --key cosign.key --bundle', 'signs it as cosign v3 does: a Sigstore bundle attached as a referrer (the referrers tag sha256-<hex> where the registry has no referrers API)'],
    ['regctl sign localhost:5000/app:1 --key cosign.key --recursive -a build=42', 'signs the index and each platform\'s manifest, with the claim build=42 in each payload'],
  ],
  action: signCommand,
});

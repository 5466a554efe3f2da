import type { CommandEnv } from './command-env.js';
import { verify } from '../api/trust.js';
import { renderVerified } from '../output/trust-results.js';
import { resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { NotTrustedError, UsageError } from '../errors.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import { keyValues } from './key-values.js';
import { keylessFlags, keylessOptions } from './keyless-flags.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => keylessFlags(cmd
  .argument('<image>', 'image reference (or oci:DIR[:TAG]); a tag is resolved to its digest once')
  .option('--key <file>', 'a public key (cosign.pub) to verify with (repeatable: any of them)', collect, [] as string[])
  .addOption(cmd.createOption('--identity-match <how>', 'how the reference a signature names must match the image: repository (default), exact (and the tag), any')
    .choices(['exact', 'repository', 'any'] as const).default('repository' as const))
  .option('-a, --annotation <key=value>', 'a claim the signed payload must carry (repeatable)', collect, [] as string[]))
  .option('--format <format>', resultFormatHelp('a line per signature: format, key, time, valid or why not', '{{.Trusted}} {{len .Signatures}}'));

/** Every signature's line (or the JSON / template), then exit 7 naming why when none satisfies. */
async function verifyCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = resultFormat(flags.format);
  const keyless = flags.certificateIdentity !== undefined || flags.certificateIdentityRegexp !== undefined;
  if (!flags.key.length && !keyless) throw new UsageError('--key: required (the public key to verify with, e.g. cosign.pub), or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp] and --trusted-root');
  const result = await verify(image, {
    context: await env.context(),
    keys: flags.key,
    identityMatch: flags.identityMatch,
    annotations: keyValues(flags.annotation, '--annotation'),
    allowUntrusted: true,
    ...keylessOptions(flags),
    credentials: await credentialOptions(env, flags),
  });
  env.io.stdout.write(renderVerified(format, result));
  if (!result.trusted) {
    if (!result.signatures.length) throw new NotTrustedError(`${image}: no signature found (${result.digest})`, ['no signature'], { hint: 'sign it with: regctl sign IMAGE --key cosign.key' });
    const reasons = result.signatures.map((c) => c.reason ?? 'not valid');
    throw new NotTrustedError(`${image}: not trusted: no signature satisfies (${[...new Set(reasons.map((r) => r.replace(/:.*$/, '')))].join(', ')})`, reasons);
  }
}

export default defineCommand({
  name: 'verify',
  summary: 'verify an image\'s signatures (cosign\'s .sig tags and Sigstore bundles) with public keys or keyless against a trusted root; exit 7 when none satisfies',
  registry: 'one',
  peers: 'cosign verify --key; skopeo (policy.json sigstoreSigned)',
  build,
  flags: { keys: '--key', annotations: '--annotation' },
  examples: [
    ['regctl verify localhost:5000/app:1 --key cosign.pub', 'prints a line per signature and exits 0 when one is valid for cosign.pub, 7 otherwise'],
    ['regctl verify ghcr.io/org/app:1 --trusted-root trusted_root.json --certificate-identity-regexp \'^https://github.com/org/\' --certificate-oidc-issuer https://token.actions.githubusercontent.com',
      'checks keyless bundles (cosign v3) against a Sigstore trusted root offline: certificate chain, SCT, log inclusion, identity and issuer'],
    ['regctl verify localhost:5000/app:1 --key a.pub --key b.pub --identity-match exact --format json', 'accepts a signature by either key naming app:1 itself, and prints the verdicts as JSON'],
  ],
  action: verifyCommand,
});

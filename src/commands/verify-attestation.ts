import type { CommandEnv } from './command-env.js';
import { verifyAttestation } from '../api/trust.js';
import { attestationVerdicts, renderAttestations } from '../output/attestations.js';
import { resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import { keylessFlags, keylessOptions } from './keyless-flags.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => keylessFlags(cmd
  .argument('<image>', 'image reference (or oci:DIR[:TAG]); its digest is resolved once')
  .option('--type <type>', 'predicate type: slsaprovenance (SLSA v0.2 or v1), slsaprovenance02, slsaprovenance1, spdx, cyclonedx, link, vuln, openvex, custom, or a URI (default: every type)')
  .option('--key <file>', 'public key (PEM, cosign.pub) a bundle must be signed with (repeatable)', collect, [] as string[]))
  .option('--format <format>', resultFormatHelp('each verified predicate as a line of JSON', '{{.PredicateType}} {{.Signer}}'));

/** Verifies; prints the verified predicates (stdout) and a verdict per attestation (stderr). Exit 7 when none verifies. */
async function verifyAttestationCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = resultFormat(flags.format);
  const result = await verifyAttestation(image, {
    context: await env.context(),
    type: flags.type,
    key: flags.key,
    ...keylessOptions(flags),
    credentials: await credentialOptions(env, flags),
  });
  for (const line of attestationVerdicts(result)) env.warn(line);
  env.io.stdout.write(renderAttestations(format, result));
}

export default defineCommand({
  name: 'verify-attestation',
  summary: 'verify the in-toto attestations (Sigstore bundles, e.g. GitHub build provenance) of an image offline and print their predicates',
  registry: 'one',
  peers: 'cosign verify-attestation; gh attestation verify',
  build,
  examples: [
    ['regctl verify-attestation ghcr.io/org/app:1 --type slsaprovenance --trusted-root trusted_root.json --certificate-identity-regexp \'^https://github.com/org/\' --certificate-oidc-issuer https://token.actions.githubusercontent.com',
      'prints the SLSA provenance GitHub\'s attest-build-provenance attached, once verified against the trusted root'],
    ['regctl verify-attestation localhost:5000/app:1 --type spdx --key cosign.pub --format \'{{.Predicate.name}}\'', 'the name of the SPDX document attested with that key'],
  ],
  action: verifyAttestationCommand,
});

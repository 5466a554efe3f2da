// verifyAttestation: in-toto attestations in Sigstore bundles attached to an image, verified offline.
import { verifyAttestation as verifyAttestationOp, type VerifyAttestationOptions } from '../ops/verify-attestation.js';
import { operation, type CallOptions } from './context.js';
import { credentials, string, strings } from './options.js';

export type { AttestationCheck, VerifyAttestationResult } from '../ops/verify-attestation.js';
export type { BundleCheck } from '../trust/bundle-check.js';

/** The options of verifyAttestation: the predicate type, and keys or a keyless identity with a trusted root. */
export interface VerifyAttestationCallOptions extends VerifyAttestationOptions, CallOptions {}

const VERIFY_ATTESTATION_OPTIONS = {
  type: string,
  key: strings,
  trustedRoot: string,
  certificateIdentity: string,
  certificateIdentityRegexp: string,
  certificateOidcIssuer: string,
  certificateOidcIssuerRegexp: string,
  credentials,
};

/**
 * The in-toto attestations of an image's digest (DSSE statements in Sigstore bundles attached as OCI 1.1 referrers:
 * cosign v3 `attest`, GitHub's actions/attest-build-provenance), of the predicate `type` (`slsaprovenance`, `spdx`,
 * `cyclonedx`, … or a predicate type URI; default every type), each verified with public keys (`key`: PEM files) or
 * keyless (`certificateIdentity[Regexp]`, `certificateOidcIssuer[Regexp]`, `trustedRoot`: a Sigstore
 * trusted_root.json; certificate chain, SCTs, transparency-log inclusion, identity and issuer). Nothing is fetched
 * from Sigstore's services. Each attestation comes with its verdict; a verified one with its predicate.
 * NotTrustedError (exit 7) when none verifies.
 *
 * @example
 * const r = await verifyAttestation('ghcr.io/org/app@sha256:…', { type: 'slsaprovenance', trustedRoot: 'trusted_root.json',
 *   certificateIdentityRegexp: '^https://github\\.com/org/', certificateOidcIssuer: 'https://token.actions.githubusercontent.com' });
 */
export function verifyAttestation(image: string, options: VerifyAttestationCallOptions = {}) {
  return operation(options, VERIFY_ATTESTATION_OPTIONS, (ctx, o: VerifyAttestationOptions) => verifyAttestationOp(ctx, image, o));
}

// Signing and verifying through the door: generateKey, sign, verify, verifyAttestation (cosign's key format, tag-based
// signatures and Sigstore bundles).
// Each checks its arguments and options first (UsageError naming them), then runs in the caller's context or one of
// its own. No network beyond the registry of the image: no transparency log, no Fulcio, no TUF.
import {
  generateKey as generateKeyOp, sign as signOp, verify as verifyOp, type GeneratedKey, type Passphrase, type SignatureCheck, type SignatureFormat,
  type SignedManifest, type SignOptions, type SignResult, type VerifyOptions, type VerifyResult,
} from '../ops/trust.js';
import { operation, type CallOptions } from './context.js';
import { argument, boolean, credentials, oneOf, string, stringRecord, strings, wrongType, type Check } from './options.js';
import type { OpOptions } from './verbs.js';
import { verifyAttestation as verifyAttestationOp, type VerifyAttestationOptions } from '../ops/verify-attestation.js';

export type { GeneratedKey, Passphrase, SignatureCheck, SignatureFormat, SignedManifest, SignOptions, SignResult, VerifyOptions, VerifyResult };
import type { VerifyAttestationResult } from '../ops/verify-attestation.js';
export type { AttestationCheck, VerifyAttestationResult } from '../ops/verify-attestation.js';
export type { BundleCheck } from '../trust/bundle-check.js';

/** A passphrase: a string, bytes, or a function giving one (called only when the key is encrypted). */
const passphrase: Check = (v, name) => {
  if (typeof v === 'string' || v instanceof Uint8Array || typeof v === 'function') return v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : v;
  throw wrongType(name, 'a string, a Buffer or a function', v);
};

/** The options of generateKey. */
export interface GenerateKeyCallOptions extends CallOptions {
  /** The passphrase the private key is encrypted with (required; cosign allows an empty one). */
  passphrase: string | Buffer;
  /** Write `<prefix>.key` (mode 0600) and `<prefix>.pub`, as `cosign generate-key-pair` writes cosign.key and cosign.pub. */
  prefix?: string | undefined;
  /** Overwrite existing files (refused without it). */
  force?: boolean | undefined;
}

/**
 * Makes an ECDSA P-256 key pair in cosign's format: the private key encrypted with the passphrase (scrypt and NaCl
 * secretbox, `ENCRYPTED SIGSTORE PRIVATE KEY`), the public key as a `PUBLIC KEY` PEM; with `prefix`, written to files.
 *
 * @example
 * const { fingerprint } = await generateKey({ passphrase: 'secret', prefix: 'cosign' }); // cosign.key, cosign.pub
 */
export function generateKey(options: GenerateKeyCallOptions): Promise<GeneratedKey> {
  const schema = { passphrase, prefix: string, force: boolean };
  return operation(options, schema, (_ctx, o: OpOptions<typeof generateKeyOp>) => generateKeyOp(o));
}

/** The options of sign: the key (`key` or `keyData`), its `passphrase`, `annotations`, `recursive`, `identity`, `format`. */
export interface SignCallOptions extends CallOptions, SignOptions {}

/**
 * Signs an image in cosign's tag-based form (`sha256-<hex>.sig` beside the image; cosign v2, cosign v3 and skopeo's
 * sigstoreSigned policies read it): the manifest digest, resolved once, in a simple-signing payload, signed with
 * ECDSA P-256. Existing signatures are kept. Nothing goes to a transparency log.
 *
 * @example
 * await sign('localhost:5000/app:1', { key: 'cosign.key', passphrase: process.env.COSIGN_PASSWORD ?? '' });
 */
export function sign(image: string, options: SignCallOptions): Promise<SignResult> {
  argument(image, string, 'image');
  const schema = { key: string, keyData: string, passphrase, annotations: stringRecord, recursive: boolean, identity: string, format: oneOf('simplesigning', 'bundle'), credentials };
  return operation(options, schema, (ctx, o: OpOptions<typeof signOp>) => signOp(ctx, image, o));
}

/** The options of verify: the keys (`keys`, `keyData`) or keyless identity (`certificate*`, `trustedRoot`), `identityMatch`, `annotations`, `allowUntrusted`. */
export interface VerifyCallOptions extends CallOptions, VerifyOptions {}

/**
 * Checks every signature of an image against public keys: the signature over each payload, the digest it names
 * against the manifest's (resolved once), the docker reference it claims and its claims. One result per signature;
 * NotTrustedError (exit 7) naming why when none satisfies (unless `allowUntrusted`).
 *
 * @example
 * const { signatures } = await verify('localhost:5000/app:1', { keys: ['cosign.pub'] });
 */
export function verify(image: string, options: VerifyCallOptions): Promise<VerifyResult> {
  argument(image, string, 'image');
  const schema = {
    keys: strings, keyData: strings, identityMatch: oneOf('exact', 'repository', 'any'), annotations: stringRecord, allowUntrusted: boolean, credentials,
    trustedRoot: string, certificateIdentity: string, certificateIdentityRegexp: string, certificateOidcIssuer: string, certificateOidcIssuerRegexp: string,
  };
  return operation(options, schema, (ctx, o: OpOptions<typeof verifyOp>) => verifyOp(ctx, image, o));
}

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
export function verifyAttestation(image: string, options: VerifyAttestationCallOptions = {}): Promise<VerifyAttestationResult> {
  argument(image, string, 'image');
  return operation(options, VERIFY_ATTESTATION_OPTIONS, (ctx, o: VerifyAttestationOptions) => verifyAttestationOp(ctx, image, o));
}

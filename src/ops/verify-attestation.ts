import { readFile } from 'node:fs/promises';
import { NotFoundError, NotTrustedError, UsageError } from '../errors.js';
import { checkBundles, type BundleCheck } from '../trust/bundle-check.js';
import { readPublicKey } from '../trust/keys.js';
import type { KeylessRequirement, TrustRequirement } from '../trust/types.js';
import { RE2JS } from 're2js';
import type { OpsContext } from './context.js';
import type { CredentialOptions } from './credentials.js';
import { withSource } from './transports/index.js';

/**
 * verify-attestation: the in-toto attestations (DSSE statements in Sigstore bundles attached as OCI 1.1 referrers:
 * cosign v3 `attest`, GitHub's actions/attest-build-provenance with push-to-registry) of an image's digest, each
 * verified with keys or keyless against a trusted root, offline; the predicates of those that verify.
 */

/** `--type` names (cosign's, cmd/cosign/cli/options/predicate.go) and the predicate types each accepts. */
export const PREDICATE_TYPES: Record<string, string[]> = {
  // cosign maps slsaprovenance to SLSA v0.2 only; GitHub's build provenance is v1: both are SLSA provenance here.
  slsaprovenance: ['https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1'],
  slsaprovenance02: ['https://slsa.dev/provenance/v0.2'],
  slsaprovenance1: ['https://slsa.dev/provenance/v1'],
  // SPDX and CycloneDX statements may carry a version (`https://spdx.dev/Document/v2.3`, GitHub's attest-sbom).
  spdx: ['https://spdx.dev/Document', 'https://spdx.dev/Document/*'],
  spdxjson: ['https://spdx.dev/Document', 'https://spdx.dev/Document/*'],
  cyclonedx: ['https://cyclonedx.org/bom', 'https://cyclonedx.org/bom/*'],
  link: ['https://in-toto.io/Link/v1'],
  vuln: ['https://cosign.sigstore.dev/attestation/vuln/v1'],
  openvex: ['https://openvex.dev/ns', 'https://openvex.dev/ns/*'],
  custom: ['https://cosign.sigstore.dev/attestation/v1'],
};

/** What a trust requirement is read from: files, as the CLI names them. */
export interface TrustFiles {
  /** Public key files (PEM: cosign.pub); a bundle signed by one of them is accepted. */
  key?: string[] | undefined;
  /** A Sigstore trusted root (trusted_root.json) for keyless bundles. */
  trustedRoot?: string | undefined;
  certificateIdentity?: string | undefined;
  certificateIdentityRegexp?: string | undefined;
  certificateOidcIssuer?: string | undefined;
  certificateOidcIssuerRegexp?: string | undefined;
}

export interface VerifyAttestationOptions extends TrustFiles {
  /** `slsaprovenance`, `spdx`, `cyclonedx`, … (PREDICATE_TYPES) or a predicate type URI; default: every type. */
  type?: string | undefined;
  credentials?: CredentialOptions | undefined;
}

/** One attestation found: its verdict, predicate type, and (verified ones) its predicate. */
export type AttestationCheck = BundleCheck;

export interface VerifyAttestationResult {
  /** The image as given. */
  name: string;
  /** The manifest digest the attestations were looked up for (resolved once). */
  digest: string;
  /** The predicate types asked for (empty: every type). */
  predicateTypes: string[];
  /** Every attestation of those types found, valid or not, each with its verdict. */
  attestations: AttestationCheck[];
}

/** The predicate types `type` stands for (a name of PREDICATE_TYPES or a URI); UsageError otherwise. */
export function predicateTypesOf(type: string | undefined): string[] {
  if (type === undefined) return [];
  const known = PREDICATE_TYPES[type];
  if (known) return known;
  if (/^[a-z][a-z0-9+.-]*:\S+$/i.test(type)) return [type];
  throw new UsageError(`option type: "${type}" is not a predicate type (${Object.keys(PREDICATE_TYPES).join(', ')} or a URI)`, { option: 'type' });
}

function typeMatches(wanted: string[], actual: string | undefined): boolean {
  if (!wanted.length) return true;
  if (actual === undefined) return false;
  return wanted.some((w) => (w.endsWith('/*') ? actual.startsWith(w.slice(0, -1)) : actual === w));
}

/** Reads the requirement's files: public keys, the trusted root; checks that keyless flags come together. */
export async function readTrustFiles(opts: TrustFiles): Promise<TrustRequirement> {
  const keys = await Promise.all((opts.key ?? []).map(async (path) => readPublicKey(await readInput(path, 'key'), path)));
  const keyless = await readKeyless(opts);
  if (!keys.length && !keyless?.identity && !keyless?.identityRegexp) {
    throw new UsageError('option key or certificateIdentity: required (a public key, or the certificate identity and OIDC issuer of keyless signatures)', { option: 'key' });
  }
  return { ...(keys.length ? { keys } : {}), ...(keyless ? { keyless } : {}) };
}

/**
 * The keyless part of a requirement: the trusted root with the identity and issuer constraints (all required
 * together), or the trusted root alone (with keys: bundles' transparency-log entries are checked against it);
 * undefined when neither is given.
 */
export async function readKeyless(opts: Omit<TrustFiles, 'key'>): Promise<KeylessRequirement | undefined> {
  const keyless = opts.certificateIdentity !== undefined || opts.certificateIdentityRegexp !== undefined ||
    opts.certificateOidcIssuer !== undefined || opts.certificateOidcIssuerRegexp !== undefined;
  if (!keyless) return opts.trustedRoot === undefined ? undefined : { trustedRoot: await readTrustedRoot(opts.trustedRoot) };
  if (opts.certificateIdentity === undefined && opts.certificateIdentityRegexp === undefined) {
    throw new UsageError('option certificateIdentity: required for keyless verification (or certificateIdentityRegexp)', { option: 'certificateIdentity' });
  }
  if (opts.certificateOidcIssuer === undefined && opts.certificateOidcIssuerRegexp === undefined) {
    throw new UsageError('option certificateOidcIssuer: required for keyless verification (or certificateOidcIssuerRegexp)', { option: 'certificateOidcIssuer' });
  }
  if (opts.trustedRoot === undefined) {
    throw new UsageError('option trustedRoot: required for keyless verification (a Sigstore trusted_root.json; regctl fetches nothing)', { option: 'trustedRoot' });
  }
  for (const [name, re] of [['certificateIdentityRegexp', opts.certificateIdentityRegexp], ['certificateOidcIssuerRegexp', opts.certificateOidcIssuerRegexp]] as const) {
    if (re === undefined) continue;
    try {
      RE2JS.compile(re);
    } catch (err) {
      throw new UsageError(`option ${name}: not an RE2 regular expression: ${(err as Error).message}`, { option: name });
    }
  }
  return {
    trustedRoot: await readTrustedRoot(opts.trustedRoot),
    ...(opts.certificateIdentity !== undefined ? { identity: opts.certificateIdentity } : {}),
    ...(opts.certificateIdentityRegexp !== undefined ? { identityRegexp: opts.certificateIdentityRegexp } : {}),
    ...(opts.certificateOidcIssuer !== undefined ? { issuer: opts.certificateOidcIssuer } : {}),
    ...(opts.certificateOidcIssuerRegexp !== undefined ? { issuerRegexp: opts.certificateOidcIssuerRegexp } : {}),
  };
}

async function readTrustedRoot(path: string): Promise<unknown> {
  const text = await readInput(path, 'trustedRoot');
  try {
    return JSON.parse(text.toString('utf8')) as unknown;
  } catch {
    throw new UsageError(`option trustedRoot: ${path} is not JSON (a Sigstore trusted_root.json)`, { option: 'trustedRoot' });
  }
}

async function readInput(path: string, option: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch {
    throw new NotFoundError(`option ${option}: ${path}: no such file`, { code: 'ERR_FILE_NOT_FOUND' });
  }
}

/**
 * The attestations of `image` of the predicate type asked for, each verified. Throws NotTrustedError (exit 7) when
 * none verifies (naming each one's reason, or that there is none of that type).
 */
export async function verifyAttestation(ctx: OpsContext, image: string, opts: VerifyAttestationOptions): Promise<VerifyAttestationResult> {
  const predicateTypes = predicateTypesOf(opts.type);
  const req = await readTrustFiles(opts);
  return withSource(ctx, image, async ({ target }) => {
    const d = await target.resolve();
    const subject = { mediaType: d.mediaType, digest: d.digest, size: d.size };
    const all = await checkBundles(target, subject, req, 'attestations', ctx.transport.signal);
    const attestations = all.filter((c) => typeMatches(predicateTypes, c.predicateType));
    const result = { name: image, digest: subject.digest, predicateTypes, attestations };
    if (attestations.some((a) => a.valid)) return result;
    const what = `${image} (${subject.digest})`;
    const kind = opts.type === undefined ? 'attestation' : `${opts.type} attestation`;
    if (!attestations.length) {
      const others = all.length ? ` (${all.length} of other predicate types: ${[...new Set(all.map((a) => a.predicateType ?? 'unknown'))].join(', ')})` : '';
      throw new NotTrustedError(`${what}: no ${kind} found${others}`, [`no ${kind}`]);
    }
    const reasons = attestations.map((a) => `bundle ${a.location}: ${a.reason ?? 'not valid'}`);
    throw new NotTrustedError(`${what}: no ${kind} verifies (${reasons.join('; ')})`, reasons);
  }, opts.credentials);
}

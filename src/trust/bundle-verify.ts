import { createHash, type KeyObject } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { RFC3161Timestamp } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { PolicyError, VerificationError, Verifier, toSignedEntity, toTrustMaterial, type SignedEntity, type TrustMaterial } from '@sigstore/verify';
import { RE2JS } from 're2js';
import { IN_TOTO_PAYLOAD_TYPE } from './bundle-oci.js';
import { keyFingerprint } from './keys.js';

/**
 * Verifying one Sigstore bundle (protobuf-specs `dev.sigstore.bundle.v1.Bundle`, media types v0.1 to v0.3) against
 * what the caller trusts: public keys (cosign `--key`), or a Sigstore trusted root (`trusted_root.json`) with an
 * expected certificate identity and OIDC issuer (keyless). The cryptography — certificate chains to the trusted
 * root's CAs, SCTs from its CT logs, transparency-log inclusion proofs, promises and checkpoints, RFC 3161
 * timestamps, the signing certificate's validity at the signed time, DSSE and message signatures — is
 * @sigstore/verify's; this module checks what it does not: that the bundle speaks of the artifact in hand (its
 * message digest, or the in-toto statement's subjects) and the identity and issuer constraints (exact or RE2
 * regexp, unanchored as cosign's). No network: everything comes from the bundle and the trusted root.
 */

/** What makes a bundle acceptable. Keys, or a trusted root with identity/issuer constraints, or both. */
export interface BundleTrust {
  /** Public keys: a bundle signed by one of them (its `publicKey` verification material) is accepted. */
  keys?: KeyObject[];
  /** A Sigstore trusted root (`trusted_root.json`, parsed JSON): required for keyless bundles; with keys, the
   * bundle's transparency-log entries are checked against its logs too. */
  trustedRoot?: unknown;
  /** The certificate's subject alternative name, exactly. */
  identity?: string;
  /** An RE2 regular expression the certificate's SAN must match (unanchored). */
  identityRegexp?: string;
  /** The certificate's OIDC issuer, exactly. */
  issuer?: string;
  /** An RE2 regular expression the OIDC issuer must match (unanchored). */
  issuerRegexp?: string;
}

/** The artifact a bundle must be about: its digest (`sha256:<hex>`), and its bytes when a message signature needs them. */
export interface BundleSubject {
  digest: string;
  bytes?: Buffer;
}

/** An in-toto statement (v0.1 or v1) carried in a DSSE envelope. */
export interface InTotoStatement {
  _type: string;
  subject: { name?: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate?: unknown;
}

export type BundleContent = 'message-signature' | 'dsse-envelope';

/** The verdict on one bundle. */
export interface BundleVerdict {
  valid: boolean;
  /** Why not valid: `malformed bundle: …`, `digest mismatch`, `wrong key`, `identity: …`, `issuer: …`, `expired: …`, `transparency log: …`, … */
  reason?: string;
  content?: BundleContent;
  /** Key fingerprint (sha256 of the SPKI DER, hex) or the certificate's SAN. */
  signer?: string;
  /** The OIDC issuer of a keyless certificate. */
  issuer?: string;
  /** When it was signed, as attested (transparency-log integrated time or RFC 3161 timestamp), ISO. */
  time?: string;
  /** The in-toto statement of a DSSE bundle (also when the verdict is negative, for messages). */
  statement?: InTotoStatement;
}


/** Verifies one bundle (parsed JSON) about `subject` against `trust`. Never throws: a refusal is a verdict with its reason. */
export function verifyBundle(json: unknown, subject: BundleSubject, trust: BundleTrust): BundleVerdict {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (err) {
    return { valid: false, reason: `malformed bundle: ${message(err)}` };
  }
  const content: BundleContent = bundle.content.$case === 'dsseEnvelope' ? 'dsse-envelope' : 'message-signature';
  const verdict: BundleVerdict = { valid: false, content };
  const about = checkContent(bundle, subject, verdict) ?? checkProofRoots(bundle);
  if (about) return { ...verdict, reason: about };
  const keyed = bundle.verificationMaterial.content.$case === 'publicKey';
  try {
    if (keyed) return { ...verdict, ...verifyWithKeys(bundle, subject, trust) };
    return { ...verdict, ...verifyKeyless(bundle, subject, trust) };
  } catch (err) {
    return { ...verdict, reason: reasonOf(err) };
  }
}

/** Checks that the bundle is about the subject; returns the reason when not. Fills `verdict.statement`. */
function checkContent(bundle: Bundle, subject: BundleSubject, verdict: BundleVerdict): string | undefined {
  const [algorithm, hex] = splitDigest(subject.digest);
  if (bundle.content.$case === 'messageSignature') {
    const md = bundle.content.messageSignature.messageDigest;
    if (!md) return 'malformed bundle: message signature without a message digest';
    const alg = HASHES[md.algorithm];
    if (!alg) return `unsupported message digest algorithm ${md.algorithm}`;
    const actual = subject.bytes ? createHash(alg).update(subject.bytes).digest('hex') : alg === algorithm ? hex : undefined;
    if (!actual) return 'the message signature needs the signed bytes';
    if (Buffer.from(md.digest).toString('hex') !== actual) return 'digest mismatch: the bundle signs another artifact';
    if (!subject.bytes) return 'the message signature needs the signed bytes';
    return undefined;
  }
  const env = bundle.content.dsseEnvelope;
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) return `unsupported DSSE payload type ${env.payloadType}`;
  let statement: InTotoStatement;
  try {
    statement = JSON.parse(Buffer.from(env.payload).toString('utf8')) as InTotoStatement;
  } catch {
    return 'malformed in-toto statement (not JSON)';
  }
  if (!statement || typeof statement !== 'object' || !Array.isArray(statement.subject) || typeof statement.predicateType !== 'string' ||
    !/^https:\/\/in-toto\.io\/Statement\/v(0\.1|1)$/.test(String(statement._type))) return 'malformed in-toto statement';
  verdict.statement = statement;
  const wanted = new Set([`${algorithm}:${hex}`]);
  if (subject.bytes) for (const a of ['sha256', 'sha384', 'sha512']) wanted.add(`${a}:${createHash(a).update(subject.bytes).digest('hex')}`);
  const named = statement.subject.some((s) => s && typeof s.digest === 'object' && s.digest &&
    Object.entries(s.digest).some(([a, v]) => typeof v === 'string' && wanted.has(`${a}:${v.toLowerCase()}`)));
  return named ? undefined : 'digest mismatch: the statement names another subject';
}

/**
 * An inclusion proof's root hash must be the one its signed checkpoint commits to (@sigstore/verify 3 computes the
 * root from the leaf and the checkpoint alone, and does not compare the proof's own `rootHash`).
 */
function checkProofRoots(bundle: Bundle): string | undefined {
  for (const entry of bundle.verificationMaterial.tlogEntries) {
    const proof = entry.inclusionProof;
    const note = proof?.checkpoint?.envelope;
    if (!proof || !note) continue;
    const root = note.split('\n')[2];
    if (root === undefined || !Buffer.from(root, 'base64').equals(Buffer.from(proof.rootHash))) {
      return 'invalid inclusion proof: its root hash is not the one its checkpoint signs';
    }
  }
  return undefined;
}

const HASHES: Record<number, string> = { 0: 'sha256', 1: 'sha256', 2: 'sha384', 3: 'sha512', 4: 'sha3-256', 5: 'sha3-384' };

function splitDigest(digest: string): [string, string] {
  const i = digest.indexOf(':');
  return [digest.slice(0, i), digest.slice(i + 1).toLowerCase()];
}

type VerdictPart = Pick<BundleVerdict, 'valid' | 'reason' | 'signer' | 'issuer' | 'time'>;

/** A `publicKey` bundle: signed by one of the keys (the hint is not trusted to pick one; every key is tried). */
function verifyWithKeys(bundle: Bundle, subject: BundleSubject, trust: BundleTrust): VerdictPart {
  if (!trust.keys?.length) return { valid: false, reason: 'signed with a key: no key given to verify it' };
  const root = trust.trustedRoot === undefined ? undefined : trustMaterialOf(trust.trustedRoot);
  let entity = withDsseHashedRekord(bundle, toSignedEntity(bundle, subject.bytes));
  // Without a trusted root the transparency log's entries cannot be checked; the key alone decides.
  if (!root) entity = { ...entity, tlogEntries: [], timestamps: [] };
  let last: unknown;
  for (const key of trust.keys) {
    const material: TrustMaterial = {
      ...(root ?? { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] }),
      publicKey: () => ({ publicKey: key, validFor: () => true }),
    };
    try {
      new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(entity);
      return { valid: true, signer: keyFingerprint(key), ...timeOf(bundle) };
    } catch (err) {
      last = err;
    }
  }
  if (last instanceof VerificationError && last.code === 'SIGNATURE_ERROR') return { valid: false, reason: trust.keys.length > 1 ? 'wrong key: none of the keys verifies the signature' : 'wrong key: the key does not verify the signature' };
  return { valid: false, reason: reasonOf(last) };
}

/** A certificate bundle: chains to the trusted root, SCT, log entries, timestamps; then identity and issuer. */
function verifyKeyless(bundle: Bundle, subject: BundleSubject, trust: BundleTrust): VerdictPart {
  if (trust.trustedRoot === undefined) return { valid: false, reason: 'keyless bundle: no trusted root given to verify its certificate' };
  if (trust.identity === undefined && trust.identityRegexp === undefined) return { valid: false, reason: 'keyless bundle: no certificate identity given to check' };
  if (trust.issuer === undefined && trust.issuerRegexp === undefined) return { valid: false, reason: 'keyless bundle: no OIDC issuer given to check' };
  const material = trustMaterialOf(trust.trustedRoot);
  const entity = withDsseHashedRekord(bundle, toSignedEntity(bundle, subject.bytes));
  const signer = new Verifier(material, {
    // A trust domain without CT logs or transparency logs (GitHub's private instance: TSA timestamps only) needs none.
    ctlogThreshold: material.ctlogs.length ? 1 : 0,
    tlogThreshold: material.tlogs.length ? 1 : 0,
    timestampThreshold: 1,
  }).verify(entity);
  const san = signer.identity?.subjectAlternativeName;
  const issuer = signer.identity?.extensions?.issuer;
  const found = { signer: san, issuer, ...timeOf(bundle) };
  const id = matches(san, trust.identity, trust.identityRegexp);
  if (id) return { valid: false, ...found, reason: `identity: certificate identity ${san ?? '(none)'} ${id}` };
  const iss = matches(issuer, trust.issuer, trust.issuerRegexp);
  if (iss) return { valid: false, ...found, reason: `issuer: OIDC issuer ${issuer ?? '(none)'} ${iss}` };
  return { valid: true, ...found };
}

/**
 * Rekor v2 logs a DSSE envelope as a `hashedrekord` 0.0.2 entry holding sha256(PAE(payloadType, payload)) (the
 * rekor-v2 spec's "hashedrekord over DSSE"), which @sigstore/verify 3 compares with the payload's digest alone. For a
 * DSSE bundle with such an entry, the log entry's digest may be either: both bind the envelope whose signature over
 * the PAE is verified in any case.
 */
function withDsseHashedRekord(bundle: Bundle, entity: SignedEntity): SignedEntity {
  if (bundle.content.$case !== 'dsseEnvelope') return entity;
  if (!bundle.verificationMaterial.tlogEntries.some((e) => e.kindVersion?.kind === 'hashedrekord' && e.kindVersion.version === '0.0.2')) return entity;
  const env = bundle.content.dsseEnvelope;
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(env.payloadType)} ${env.payloadType} ${env.payload.length} `), Buffer.from(env.payload)]);
  const paeDigest = createHash('sha256').update(pae).digest();
  const sig = entity.signature;
  return {
    ...entity,
    signature: {
      signature: sig.signature,
      compareSignature: (s) => sig.compareSignature(s),
      compareDigest: (d) => sig.compareDigest(d) || paeDigest.equals(d),
      verifySignature: (k) => sig.verifySignature(k),
    },
  };
}

/** Why `value` fails the exact / regexp constraint, or undefined when it passes. */
function matches(value: string | undefined, exact: string | undefined, regexp: string | undefined): string | undefined {
  if (exact !== undefined && value !== exact) return `is not ${exact}`;
  if (regexp !== undefined && (value === undefined || !RE2JS.compile(regexp).matcher(value).find())) return `does not match ${regexp}`;
  return undefined;
}

const materials = new WeakMap<object, TrustMaterial>();

/** The trust material of a parsed trusted_root.json (cached per object). */
function trustMaterialOf(root: unknown): TrustMaterial {
  if (root && typeof root === 'object') {
    const cached = materials.get(root);
    if (cached) return cached;
  }
  let material: TrustMaterial;
  try {
    const parsed = TrustedRoot.fromJSON(root);
    // Each log key must say from when it is valid (protobuf-specs: validFor.start is required); a key without a start
    // would be trusted for entries at any time.
    for (const log of [...parsed.tlogs, ...parsed.ctlogs]) {
      if (!log.publicKey?.validFor?.start) throw new Error(`log ${log.baseUrl || '(unnamed)'} has a key without validFor.start`);
    }
    material = toTrustMaterial(parsed);
  } catch (err) {
    throw new TrustRootError(`invalid trusted root: ${message(err)}`);
  }
  if (root && typeof root === 'object') materials.set(root, material);
  return material;
}

class TrustRootError extends Error {}

/** When the bundle says it was signed: its first log entry's integrated time, else its first RFC 3161 timestamp. */
function timeOf(bundle: Bundle): { time?: string } {
  const entry = bundle.verificationMaterial.tlogEntries.find((e) => e.integratedTime && e.integratedTime !== '0');
  if (entry) return { time: new Date(Number(entry.integratedTime) * 1000).toISOString() };
  const ts = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps[0];
  if (ts) {
    try {
      return { time: RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)).signingTime.toISOString() };
    } catch {
      return {};
    }
  }
  return {};
}

/** A refusal's reason from @sigstore/verify's error codes, named for what a user checks. */
function reasonOf(err: unknown): string {
  if (err instanceof PolicyError) return `identity: ${err.message}`;
  if (err instanceof TrustRootError) return err.message;
  if (!(err instanceof VerificationError)) return `invalid bundle: ${message(err)}`;
  // The chain verifier's last error says why (expired at the signed time, untrusted issuer, …).
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  const msg = cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
  switch (err.code) {
    case 'SIGNATURE_ERROR': return `bad signature: ${msg}`;
    case 'CERTIFICATE_ERROR': return /expired|not valid|validity/i.test(msg) ? `expired: ${msg}` : `certificate: ${msg}`;
    case 'PUBLIC_KEY_ERROR': return `wrong key: ${msg}`;
    case 'TLOG_INCLUSION_PROOF_ERROR': return `invalid inclusion proof: ${msg}`;
    case 'TLOG_INCLUSION_PROMISE_ERROR': return `invalid inclusion promise: ${msg}`;
    case 'TLOG_MISSING_INCLUSION_ERROR': return `transparency log: ${msg}`;
    case 'TLOG_BODY_ERROR': return `transparency log entry mismatch: ${msg}`;
    case 'TLOG_ERROR': return `transparency log: ${msg}`;
    case 'TIMESTAMP_ERROR': return /outside|valid/i.test(msg) ? `expired: ${msg}` : `timestamp: ${msg}`;
    default: return `invalid bundle: ${msg}`;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

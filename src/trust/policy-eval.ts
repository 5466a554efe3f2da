/**
 * Judging one image against a policy, before anything of it is copied: the requirements of the most specific scope
 * (policy-scope.ts), every one of which must accept the image (containers/image's IsRunningImageAllowed).
 *
 * - `insecureAcceptAnything` accepts; `reject` refuses.
 * - `sigstoreSigned` with keys (`keyPath`, `keyPaths`, `keyData`, `keyDatas`): at least one signature of the image
 *   (found by the verify orchestrator, verify.ts: cosign's tag-based form, Sigstore bundles as referrers) made by
 *   one of the keys, over this very digest, claiming an identity `signedIdentity` accepts.
 * - What regctl does not implement refuses the image, naming it — never passes: `signedBy` (GPG simple signing),
 *   `signedBaseLayer`, and within sigstoreSigned `fulcio` / `pki` (keyless certificates in the tag-based form) and
 *   `rekorPublicKey*` (Rekor signed entry timestamps).
 *
 * Which digest is judged: containers/image judges each single image it copies (a platform's manifest out of an
 * index; with --all each platform's). regctl accepts that, and also a signature of the index that names the image
 * (the index pins its images' digests, so its signature covers them): an index signed with cosign's default
 * (non-recursive) `sign` is accepted as a whole, and so is a platform copied out of it.
 */
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SourceTarget } from '../content/target.js';
import { ConfigError, NotTrustedError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { readPublicKey } from './keys.js';
import type { Policy, PolicyRequirement, SigstoreSignedRequirement } from './policy.js';
import { identityProblem } from './policy-identity.js';
import { requirementsFor, type PolicySubject } from './policy-scope.js';
import type { SignatureCheck, SignatureFormat } from './types.js';
import { checkSignatures } from './verify.js';

/** The image judged. */
export interface PolicyImage {
  subject: PolicySubject;
  /** What the user named, for messages (`docker://…`, `oci:DIR:TAG`). */
  description: string;
  /** Where its signatures are looked for: the source's repository or layout. */
  source: SourceTarget;
  /** The manifest the reference resolved to (once, by the caller): an index or an image. */
  top: Descriptor;
  /**
   * The images a copy takes out of `top` when it is an index (the platform picked, or every image listed): each
   * signed is as good as `top` signed.
   */
  images?: Descriptor[];
  /** Signature formats to look at (registries.d may leave the tag-based one out); default every format. */
  formats?: SignatureFormat[];
}

/** What the policy said, for callers that report it. */
export interface PolicyVerdict {
  /** The scope whose requirements applied: `transports.docker["HOST/NS"]`, or `default`. */
  scope: string;
  /** The requirement types that applied, in order. */
  requirements: string[];
  /** Whether a requirement needed signatures (so that a copy brings them along). */
  signed: boolean;
  /** The signatures that satisfied the signature requirements. */
  signatures: SignatureCheck[];
}

/** Judges `image`; NotTrustedError (exit 7) naming the scope and the requirement when refused. */
export async function evaluatePolicy(policy: Policy, image: PolicyImage, signal?: AbortSignal): Promise<PolicyVerdict> {
  const { scope, requirements } = requirementsFor(policy, image.subject);
  const verdict: PolicyVerdict = { scope, requirements: requirements.map((r) => r.type), signed: false, signatures: [] };
  const refuse = (req: PolicyRequirement, why: string, reasons: string[] = [why]): NotTrustedError =>
    new NotTrustedError(`${image.description}: refused by policy ${policy.source}: ${scope} requires ${describe(req)}: ${why}`, reasons);
  for (const req of requirements) {
    switch (req.type) {
      case 'insecureAcceptAnything':
        continue;
      case 'reject':
        throw refuse(req, 'every image is rejected there');
      case 'signedBy':
        throw refuse(req, `regctl does not implement signedBy (${req.keyType}, GPG "simple signing"): refused rather than passed`);
      case 'signedBaseLayer':
        throw refuse(req, 'regctl does not implement signedBaseLayer: refused rather than passed');
      case 'sigstoreSigned': {
        verdict.signed = true;
        const unsupported = notSupported(req);
        if (unsupported) throw refuse(req, `${unsupported} is not supported yet by regctl: refused rather than passed`);
        const keys = await loadKeys(req, policy.source);
        const accepted = await acceptedSignatures(req, keys, image, signal);
        if (accepted.ok.length === 0) throw refuse(req, accepted.reasons.length ? accepted.reasons.join('; ') : 'a signature was required, but no signature exists', accepted.reasons.length ? accepted.reasons : ['no signature']);
        verdict.signatures.push(...accepted.ok);
        continue;
      }
    }
  }
  return verdict;
}

/** Does any requirement of the scope that applies to this subject need signatures? (A copy then brings them along.) */
export function needsSignatures(policy: Policy, subject: PolicySubject): boolean {
  return requirementsFor(policy, subject).requirements.some((r) => r.type === 'sigstoreSigned' || r.type === 'signedBy');
}

/**
 * signedIdentity needs the docker reference a signature claims: one that names none (a Sigstore bundle signs a digest
 * only) cannot show it is an image of this name, and is not accepted by a policy — never waved through.
 */
function withIdentity(req: SigstoreSignedRequirement): (c: SignatureCheck) => SignatureCheck {
  return (c) => (c.valid && c.identity === undefined
    ? { ...c, valid: false, reason: `identity: the ${c.format === 'bundle' ? 'Sigstore bundle' : 'signature'} names no docker reference, which signedIdentity ${req.signedIdentity.type} needs` }
    : c);
}

function describe(req: PolicyRequirement): string {
  if (req.type !== 'sigstoreSigned') return `"${req.type}"`;
  const keys = req.keyPath ? `keyPath ${req.keyPath}` : req.keyPaths ? `keyPaths ${req.keyPaths.join(', ')}` : req.keyData ? 'keyData' : req.keyDatas ? 'keyDatas' : req.fulcio ? 'fulcio' : 'pki';
  return `"sigstoreSigned" (${keys}, signedIdentity ${req.signedIdentity.type})`;
}

function notSupported(req: SigstoreSignedRequirement): string | undefined {
  if (req.fulcio) return 'sigstoreSigned with "fulcio" (keyless certificates in cosign\'s tag-based signatures, with a Rekor signed entry timestamp)';
  if (req.pki) return 'sigstoreSigned with "pki" (X.509 certificate chains)';
  const rekor = (['rekorPublicKeyPath', 'rekorPublicKeyPaths', 'rekorPublicKeyData', 'rekorPublicKeyDatas'] as const).find((k) => req[k] !== undefined);
  if (rekor) return `sigstoreSigned with "${rekor}" (a Rekor signed entry timestamp in each signature)`;
  return undefined;
}

async function loadKeys(req: SigstoreSignedRequirement, source: string): Promise<KeyObject[]> {
  const read = async (path: string): Promise<KeyObject> => {
    let text: Buffer;
    try {
      text = await readFile(path);
    } catch (err) {
      throw new ConfigError(`policy ${source}: cannot read key ${path}: ${(err as Error).message}`, { cause: err });
    }
    return readPublicKey(text, path);
  };
  if (req.keyPath) return [await read(req.keyPath)];
  if (req.keyPaths) return Promise.all(req.keyPaths.map(read));
  if (req.keyData) return [readPublicKey(req.keyData, `policy ${source}: keyData`)];
  return (req.keyDatas ?? []).map((d, i) => readPublicKey(d, `policy ${source}: keyDatas[${i}]`));
}

/**
 * The signatures accepted: those of `top`; when none, those of the images a copy takes out of it — each of which
 * must then have one.
 */
async function acceptedSignatures(req: SigstoreSignedRequirement, keys: KeyObject[], image: PolicyImage, signal?: AbortSignal): Promise<{ ok: SignatureCheck[]; reasons: string[] }> {
  const identityMatch = (claimed: string) => identityProblem(req.signedIdentity, image.subject.reference, claimed);
  const check = async (subject: Descriptor) => (await checkSignatures(image.source, subject, { keys, identityMatch }, {
    ...(signal ? { signal } : {}),
    ...(image.formats ? { formats: image.formats } : {}),
  })).map(withIdentity(req));
  const top = await check(image.top);
  const ok = top.filter((c) => c.valid);
  if (ok.length) return { ok, reasons: [] };
  const reasons = top.map((c) => `${image.top.digest}: ${c.format} ${c.location}: ${c.reason ?? 'not valid'}`);
  const images = image.images ?? [];
  if (!images.length) return { ok: [], reasons };
  const each: SignatureCheck[] = [];
  for (const child of images) {
    const checks = await check(child);
    const good = checks.find((c) => c.valid);
    if (!good) {
      reasons.push(checks.length ? checks.map((c) => `${child.digest}: ${c.format} ${c.location}: ${c.reason ?? 'not valid'}`).join('; ') : `${child.digest}: no signature (nor of the index ${image.top.digest})`);
      return { ok: [], reasons };
    }
    each.push(good);
  }
  return { ok: each, reasons: [] };
}


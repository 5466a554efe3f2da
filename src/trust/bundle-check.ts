import type { SourceTarget } from '../content/target.js';
import { verifyBytes } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import { COSIGN_SIGN_PREDICATE, findBundles } from './bundle-oci.js';
import type { BundleTrust, BundleVerdict, InTotoStatement } from './bundle-verify.js';
import type { SignatureCheck, TrustRequirement } from './types.js';

/**
 * The bundle format in the verify orchestrator (verify.ts FINDERS) and for attestations: the Sigstore bundles
 * attached to an image as OCI 1.1 referrers, each verified (bundle-verify.ts) against the requirement.
 */

/** A bundle's verdict with what its in-toto statement says (attestations). */
export interface BundleCheck extends SignatureCheck {
  /** The statement's predicate type (DSSE bundles). */
  predicateType?: string;
  /** The statement's predicate (DSSE bundles), once the bundle verified. */
  predicate?: unknown;
}

/** Which bundles a caller looks at: `signatures` (cosign's sign predicate, message signatures) or attestations. */
export type BundleKind = 'signatures' | 'attestations';

/**
 * The bundles of `subject` found through `source`, of the kind wanted, each judged against `req`. A bundle that
 * cannot be read is a refused check (`malformed: …`); errors reaching the registry are thrown.
 */
export async function checkBundles(source: SourceTarget, subject: Descriptor, req: TrustRequirement, kind: BundleKind, signal?: AbortSignal): Promise<BundleCheck[]> {
  const found = await findBundles(source, subject);
  if (!found.length) return [];
  // @sigstore's verifier takes over 100 ms to load: only when there is a bundle to check (copy and pull load this
  // module for their policy gate).
  const { verifyBundle } = await import('./bundle-verify.js');
  const trust: BundleTrust = {
    ...(req.keys ? { keys: req.keys } : {}),
    ...(req.keyless ? {
      trustedRoot: req.keyless.trustedRoot,
      ...(req.keyless.identity !== undefined ? { identity: req.keyless.identity } : {}),
      ...(req.keyless.identityRegexp !== undefined ? { identityRegexp: req.keyless.identityRegexp } : {}),
      ...(req.keyless.issuer !== undefined ? { issuer: req.keyless.issuer } : {}),
      ...(req.keyless.issuerRegexp !== undefined ? { issuerRegexp: req.keyless.issuerRegexp } : {}),
    } : {}),
  };
  let manifest: Buffer | undefined;
  const out: BundleCheck[] = [];
  for (const f of found) {
    signal?.throwIfAborted();
    const base = { format: 'bundle' as const, location: f.location };
    if (f.error !== undefined || f.json === undefined) {
      if (f.predicateType && (kind === 'signatures') !== (f.predicateType === COSIGN_SIGN_PREDICATE)) continue;
      out.push({ ...base, valid: false, reason: `malformed: ${f.error ?? 'no bundle'}`, ...(f.predicateType ? { predicateType: f.predicateType } : {}) });
      continue;
    }
    // A message signature signs the manifest's bytes: fetch them once, only when needed.
    if (!manifest && isMessageSignature(f.json)) {
      const what = `${source.description}: ${subject.digest}`;
      manifest = verifyBytes(subject, await source.fetchManifest(subject), what); // the bytes of that digest, not others
    }
    const verdict = verifyBundle(f.json, { digest: subject.digest, ...(manifest ? { bytes: manifest } : {}) }, trust);
    const predicateType = verdict.statement?.predicateType ?? f.predicateType;
    const isSignature = verdict.content === 'message-signature' || predicateType === COSIGN_SIGN_PREDICATE;
    // A bundle whose kind is known goes to its caller only; one unreadable enough not to tell goes to both.
    if ((verdict.content !== undefined || predicateType !== undefined) && (kind === 'signatures') !== isSignature) continue;
    out.push(toCheck(base, verdict, predicateType, req));
  }
  return out;
}

function isMessageSignature(json: unknown): boolean {
  return !!json && typeof json === 'object' && 'messageSignature' in json;
}

function toCheck(base: Pick<SignatureCheck, 'format' | 'location'>, v: BundleVerdict, predicateType: string | undefined, req: TrustRequirement): BundleCheck {
  const annotations = subjectAnnotations(v.statement);
  const check: BundleCheck = {
    ...base,
    ...(v.signer ? { signer: v.signer } : {}),
    ...(v.issuer ? { issuer: v.issuer } : {}),
    ...(v.time ? { time: v.time } : {}),
    ...(annotations ? { annotations } : {}),
    ...(predicateType ? { predicateType } : {}),
    valid: v.valid,
    ...(v.reason ? { reason: v.reason } : {}),
  };
  if (!v.valid) return check;
  // cosign -a KEY=VALUE: the in-toto subject's annotations must carry each claim.
  const missing = Object.entries(req.annotations ?? {}).filter(([k, val]) => annotations?.[k] === undefined || String(annotations[k]) !== val);
  if (missing.length) return { ...check, valid: false, reason: `annotations: ${missing.map(([k, val]) => `${k}=${val}`).join(', ')} not in the statement` };
  if (v.statement && 'predicate' in v.statement) check.predicate = v.statement.predicate;
  return check;
}

/** The annotations of the statement's first subject (where cosign puts `-a KEY=VALUE`). */
function subjectAnnotations(st: InTotoStatement | undefined): Record<string, unknown> | undefined {
  const a = (st?.subject[0] as { annotations?: unknown } | undefined)?.annotations;
  return a && typeof a === 'object' && !Array.isArray(a) && Object.keys(a).length ? a as Record<string, unknown> : undefined;
}

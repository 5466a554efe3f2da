import { verify as verifySignature, type KeyObject } from 'node:crypto';
import type { SourceTarget } from '../content/target.js';
import { NotTrustedError, RegctlError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { parseReference } from '../ref/parse.js';
import type { Reference } from '../ref/reference.js';
import { checkBundles } from './bundle-check.js';
import { readSignatureManifest, readSmallBlob } from './cosign-tags.js';
import { keyFingerprint } from './keys.js';
import { MAX_PAYLOAD_BYTES, parsePayload, SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';
import type { IdentityMatch, SignatureCheck, SignatureFormat, TrustRequirement } from './types.js';

/**
 * THE trust orchestrator: every signature of an image digest, in every storage format, each with its verdict. The
 * verify verb and trust policies both call {@link checkSignatures}; each format plugs in as a {@link SignatureFinder}
 * in {@link FINDERS}.
 */

/** How a check is run. */
export interface CheckOptions {
  signal?: AbortSignal;
  /** Only these formats (default: every format in FINDERS). */
  formats?: SignatureFormat[];
  /**
   * The image's registry name (registry, repository and the tag it was named by), for the identity check. Absent
   * (an OCI layout, an archive): any identity check but `any` (or a function) refuses, naming why.
   */
  reference?: Pick<Reference, 'registry' | 'repository' | 'tag'>;
  /** "Now", for expiry checks (default: the current time). */
  now?: Date;
}

/** One storage format: finds the signatures of `subject` in `source` and judges each against `req`. */
export interface SignatureFinder {
  format: SignatureFormat;
  check(source: SourceTarget, subject: Descriptor, req: TrustRequirement, opts: CheckOptions): Promise<SignatureCheck[]>;
}

/** cosign's tag-based simple signing (`sha256-<hex>.sig`). */
export const simpleSigningFinder: SignatureFinder = { format: 'simplesigning', check: checkSimpleSigning };

/** Sigstore bundles attached as OCI 1.1 referrers (cosign v3): message signatures and cosign's sign predicate. */
export const bundleFinder: SignatureFinder = { format: 'bundle', check: (source, subject, req, opts) => checkBundles(source, subject, req, 'signatures', opts.signal) };

/** Every format, in the order their results are listed. */
export const FINDERS: SignatureFinder[] = [simpleSigningFinder, bundleFinder];

/**
 * Every signature of `subject` (a manifest or index digest, resolved once by the caller) found through `source` (the
 * image's repository or layout), each judged against `req`. Finding none is an empty list, not an error; errors
 * reaching the signatures (network, auth) are thrown.
 */
export async function checkSignatures(source: SourceTarget, subject: Descriptor, req: TrustRequirement, opts: CheckOptions = {}): Promise<SignatureCheck[]> {
  const out: SignatureCheck[] = [];
  for (const finder of FINDERS) {
    if (opts.formats && !opts.formats.includes(finder.format)) continue;
    opts.signal?.throwIfAborted();
    out.push(...await finder.check(source, subject, req, opts));
  }
  return out;
}

/**
 * The verdict over all checks: the valid ones, or a NotTrustedError (exit 7) naming `what` and, one line per
 * signature, why each was refused ("no signature" when there were none).
 */
export function requireTrusted(what: string, checks: SignatureCheck[]): SignatureCheck[] {
  const valid = checks.filter((c) => c.valid);
  if (valid.length) return valid;
  if (!checks.length) throw new NotTrustedError(`${what}: no signature found`, ['no signature'], { hint: 'sign it with: regctl sign IMAGE --key cosign.key' });
  const reasons = checks.map((c) => `${c.format} ${c.location}: ${c.reason ?? 'not valid'}`);
  throw new NotTrustedError(`${what}: no valid signature (${reasons.join('; ')})`, reasons);
}

/** Does the claimed docker reference match the image? undefined when it does, else why not (starting `identity:`). */
export function identityProblem(claimed: string, match: IdentityMatch | undefined, image: CheckOptions['reference']): string | undefined {
  const m = match ?? 'repository';
  if (m === 'any') return undefined;
  if (typeof m === 'function') {
    const why = m(claimed);
    return why === undefined ? undefined : `identity: ${why}`;
  }
  if (!image) return `identity: the image has no registry name to match the signed "${claimed}" against (use identity match "any")`;
  let signed: Reference;
  try {
    signed = parseReference(claimed);
  } catch {
    return `identity: the signed docker-reference "${claimed}" is not an image reference`;
  }
  const repo = `${image.registry}/${image.repository}`;
  if (`${signed.registry}/${signed.repository}` !== repo) return `identity: signed for ${signed.registry}/${signed.repository}, not ${repo}`;
  if (m === 'exact' && image.tag && signed.tag !== image.tag) {
    return `identity: signed for ${signed.tag ? `tag ${signed.tag}` : `${claimed} (no tag)`}, not ${repo}:${image.tag}`;
  }
  return undefined;
}

/** Verifies a raw signature over `payload` with any of `keys` (ECDSA DER over SHA-256): the key that did, if one. */
export function verifyingKey(keys: readonly KeyObject[], payload: Buffer, signature: Buffer): KeyObject | undefined {
  for (const key of keys) {
    try {
      if (verifySignature('sha256', payload, { key, dsaEncoding: 'der' }, signature)) return key;
    } catch {
      // a signature that is not DER at all: no key verifies it
    }
  }
  return undefined;
}

/** The most signatures of one `.sig` manifest that are checked (each is a blob to fetch); the rest are reported refused. */
export const MAX_SIGNATURES = 256;

async function checkSimpleSigning(source: SourceTarget, subject: Descriptor, req: TrustRequirement, opts: CheckOptions): Promise<SignatureCheck[]> {
  const sig = await readSignatureManifest(source, subject, opts.signal);
  if (!sig) return [];
  if (sig.manifest.kind === 'index') {
    return [{ format: 'simplesigning', location: `${sig.tag}@${sig.desc.digest}`, valid: false, reason: 'malformed: the tag holds an index, not a signature manifest' }];
  }
  const out: SignatureCheck[] = [];
  const keys = req.keys ?? [];
  const layers = sig.manifest.layers;
  if (layers.length > MAX_SIGNATURES) {
    out.push({ format: 'simplesigning', location: `${sig.tag}@${sig.desc.digest}#${MAX_SIGNATURES}-${layers.length - 1}`, valid: false, reason: `malformed: ${layers.length} signatures, only the first ${MAX_SIGNATURES} checked` });
  }
  for (const [i, layer] of layers.slice(0, MAX_SIGNATURES).entries()) {
    opts.signal?.throwIfAborted();
    const location = `${sig.tag}@${sig.desc.digest}#${i}`;
    const refuse = (reason: string, extra: Partial<SignatureCheck> = {}): SignatureCheck => ({ format: 'simplesigning', location, ...extra, valid: false, reason });
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) {
      out.push(refuse(`malformed: layer of media type ${layer.mediaType}, not a simple-signing payload`));
      continue;
    }
    const b64 = layer.annotations?.[SIGNATURE_ANNOTATION];
    if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
      out.push(refuse(`malformed: no base64 ${SIGNATURE_ANNOTATION} annotation`));
      continue;
    }
    let payload: Buffer;
    try {
      payload = await readSmallBlob(source, layer, MAX_PAYLOAD_BYTES, `${source.description}: ${location} payload`);
    } catch (err) {
      if (err instanceof RegctlError && err.code !== 'ERR_CANCELLED' && (err.exitCode === 3 || err.exitCode === 6 || err.code === 'ERR_TOO_LARGE')) {
        out.push(refuse(`malformed: payload: ${err.message}`));
        continue;
      }
      throw err;
    }
    const key = verifyingKey(keys, payload, Buffer.from(b64, 'base64'));
    let parsed;
    try {
      parsed = parsePayload(payload);
    } catch (err) {
      out.push(refuse(`malformed: ${(err as Error).message}`, key ? { signer: keyFingerprint(key) } : {}));
      continue;
    }
    const facts: Partial<SignatureCheck> = {
      ...(key ? { signer: keyFingerprint(key) } : {}),
      ...(parsed.time ? { time: parsed.time } : {}),
      ...(parsed.dockerReference ? { identity: parsed.dockerReference } : {}),
      ...(parsed.optional ? { annotations: parsed.optional } : {}),
    };
    if (!key) {
      out.push(refuse(keys.length ? `wrong key: no given key (${keys.length}) verifies the signature over its payload` : 'wrong key: no key given to verify it with', facts));
      continue;
    }
    if (parsed.digest !== subject.digest) {
      out.push(refuse(`digest mismatch: it signs ${parsed.digest}, not ${subject.digest}`, facts));
      continue;
    }
    const identity = identityProblem(parsed.dockerReference, req.identityMatch, opts.reference);
    if (identity) {
      out.push(refuse(identity, facts));
      continue;
    }
    const missing = Object.entries(req.annotations ?? {}).filter(([k, v]) => String(parsed.optional?.[k]) !== v || parsed.optional?.[k] === undefined);
    if (missing.length) {
      out.push(refuse(`annotations: ${missing.map(([k, v]) => `${k}=${v}`).join(', ')} not in the payload`, facts));
      continue;
    }
    out.push({ format: 'simplesigning', location, ...facts, valid: true });
  }
  // the refusal of the signatures beyond the cap after those checked
  return layers.length > MAX_SIGNATURES ? [...out.slice(1), out[0]!] : out;
}

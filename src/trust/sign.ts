import { createPublicKey, sign as signBytes, type KeyObject } from 'node:crypto';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import { verifyBytes } from '../oci/digest.js';
import { parseManifest, REFERENCE_TYPE, type Descriptor } from '../oci/manifest.js';
import { BUNDLE_MEDIA_PREFIX, COSIGN_SIGN_PREDICATE, keyBundle, pushBundle } from './bundle-oci.js';
import { appendSignatures } from './cosign-tags.js';
import { buildPayload } from './simple-signing.js';
import type { SignatureFormat } from './types.js';

/** How an image is signed. */
export interface SignImageOptions {
  /** The payload's `critical.identity.docker-reference` (cosign: the repository, `index.docker.io/library/alpine`). */
  dockerReference: string;
  /** The payload's `optional` claims (cosign `-a KEY=VALUE`). */
  annotations?: Record<string, string> | undefined;
  /** An index: also sign each platform's manifest (not BuildKit's attestation manifests). */
  recursive?: boolean | undefined;
  /** `simplesigning` (default): the `.sig` tag; `bundle`: a Sigstore bundle referrer as cosign v3 writes it. */
  format?: SignatureFormat | undefined;
  /** The bundle's creation time (`org.opencontainers.image.created`); default now. */
  now?: Date | undefined;
  signal?: AbortSignal | undefined;
}

/** One manifest signed. */
export interface SignedManifest {
  /** The manifest (or index) signed. */
  digest: string;
  mediaType: string;
  /** How it was signed. */
  format: SignatureFormat;
  /** The tag its signatures live under (`sha256-<hex>.sig`) and that manifest's digest now. */
  signatureTag: string;
  signatureManifest: string;
  /** Signatures there now (bundle: the bundle referrers the source lists now) (those before are kept); `added` false when this very signature was there already. */
  signatures: number;
  added: boolean;
}

/** Signs a raw payload the cosign way: ECDSA over SHA-256, ASN.1 DER. */
export function signPayload(key: KeyObject, payload: Buffer): Buffer {
  return signBytes('sha256', payload, { key, dsaEncoding: 'der' });
}

/**
 * Signs `subject` (a digest resolved once by the caller: no tag is looked up again) in cosign's tag-based form,
 * appending to its `.sig` manifest. `recursive` also signs each platform manifest of an index, each once.
 */
export async function signImage(source: SourceTarget, destination: DestinationTarget, subject: Descriptor, key: KeyObject, opts: SignImageOptions): Promise<SignedManifest[]> {
  const subjects: Descriptor[] = [subject];
  if (opts.recursive) {
    const what = `${source.description}: ${subject.digest}`;
    const doc = parseManifest(verifyBytes(subject, await source.fetchManifest(subject), what), subject.mediaType, what);
    if (doc.kind === 'index') {
      for (const m of doc.manifests) {
        if (m.annotations?.[REFERENCE_TYPE] || subjects.some((s) => s.digest === m.digest)) continue;
        subjects.push({ mediaType: m.mediaType, digest: m.digest, size: m.size });
      }
    }
  }
  const out: SignedManifest[] = [];
  for (const s of subjects) {
    opts.signal?.throwIfAborted();
    if (opts.format === 'bundle') {
      // cosign v3: a DSSE in-toto statement about the digest, as a referrer of its own (a new one each time: appended).
      const before = ((await source.referrers?.(s)) ?? []).filter((r) => !r.tag && r.desc.artifactType?.startsWith(BUNDLE_MEDIA_PREFIX));
      const bundle = keyBundle(key, createPublicKey(key), s.digest, opts.annotations ? { annotations: opts.annotations } : {});
      const referrer = await pushBundle(destination, s, bundle, COSIGN_SIGN_PREDICATE, opts.now ?? new Date());
      const added = !before.some((r) => r.desc.digest === referrer.digest);
      out.push({ digest: s.digest, mediaType: s.mediaType, format: 'bundle', signatureTag: '', signatureManifest: referrer.digest, signatures: before.length + (added ? 1 : 0), added });
      continue;
    }
    const payload = buildPayload(opts.dockerReference, s.digest, opts.annotations);
    const r = await appendSignatures(source, destination, s, [{ payload, signature: signPayload(key, payload) }], opts.signal, key);
    out.push({ digest: s.digest, mediaType: s.mediaType, format: 'simplesigning', signatureTag: r.tag, signatureManifest: r.digest, signatures: r.after, added: r.added });
  }
  return out;
}


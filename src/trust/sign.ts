import { sign as signBytes, type KeyObject } from 'node:crypto';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import { verifyBytes } from '../oci/digest.js';
import { parseManifest, REFERENCE_TYPE, type Descriptor } from '../oci/manifest.js';
import { appendSignatures } from './cosign-tags.js';
import { buildPayload } from './simple-signing.js';

/** How an image is signed. */
export interface SignImageOptions {
  /** The payload's `critical.identity.docker-reference` (cosign: the repository, `index.docker.io/library/alpine`). */
  dockerReference: string;
  /** The payload's `optional` claims (cosign `-a KEY=VALUE`). */
  annotations?: Record<string, string> | undefined;
  /** An index: also sign each platform's manifest (not BuildKit's attestation manifests). */
  recursive?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** One manifest signed. */
export interface SignedManifest {
  /** The manifest (or index) signed. */
  digest: string;
  mediaType: string;
  /** The tag its signatures live under (`sha256-<hex>.sig`) and that manifest's digest now. */
  signatureTag: string;
  signatureManifest: string;
  /** Signatures there now (those before are kept); `added` false when this very signature was there already. */
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
    const payload = buildPayload(opts.dockerReference, s.digest, opts.annotations);
    const r = await appendSignatures(source, destination, s, [{ payload, signature: signPayload(key, payload) }], opts.signal, key);
    out.push({ digest: s.digest, mediaType: s.mediaType, signatureTag: r.tag, signatureManifest: r.digest, signatures: r.after, added: r.added });
  }
  return out;
}


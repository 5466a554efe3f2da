import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import { referrersTag } from '../content/referrers.js';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import { IntegrityError, NotFoundError } from '../errors.js';
import { sha256Digest, verifyBytes } from '../oci/digest.js';
import { parseManifest, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/manifest.js';
import { OCI_CONFIG, OCI_MANIFEST } from '../oci/media-types.js';
import { readCapped } from '../util/read-capped.js';
import { SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE } from './simple-signing.js';

/**
 * cosign's tag-based signatures (SIGNATURE_SPEC.md "Tag-based Discovery", "OCI Image Manifest V1"): the signatures of
 * `sha256:<hex>` live in one image manifest tagged `sha256-<hex>.sig` in the image's repository, one layer per
 * signature: the simple-signing payload as the blob, the base64 signature in the layer's
 * `dev.cosignproject.cosign/signature` annotation.
 */

/** `sha256-<hex>.sig`. */
export function signatureTag(digest: string): string {
  return `${referrersTag(digest)}.sig`;
}

/** The signature manifest of a subject, read (its bytes checked against its digest). */
export interface SignatureManifest {
  tag: string;
  desc: Descriptor;
  /** An image manifest in cosign's form; an index here is not a signature manifest (reported, never replaced). */
  manifest: ImageManifest | ImageIndex;
}

/** The `.sig` manifest of `subject` in `source`'s repository or layout; undefined when there is none. */
export async function readSignatureManifest(source: SourceTarget, subject: Descriptor, signal?: AbortSignal): Promise<SignatureManifest | undefined> {
  const tag = signatureTag(subject.digest);
  let desc: Descriptor | undefined;
  if (source.at) {
    try {
      desc = await source.at(tag).resolve();
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  } else {
    desc = (await source.referrers?.(subject))?.find((r) => r.tag === tag)?.desc;
    if (!desc) return undefined;
  }
  signal?.throwIfAborted();
  const what = `${source.description}: ${tag}`;
  const bytes = verifyBytes(desc, await source.fetchManifest(desc), what);
  const parsed = parseManifest(bytes, desc.mediaType, what);
  return { tag, desc: { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }, manifest: parsed };
}

/** A small blob read whole and checked against its descriptor. */
export async function readSmallBlob(source: SourceTarget, desc: Descriptor, limit: number, what: string): Promise<Buffer> {
  if (desc.size > limit) throw new NotFoundError(`${what}: ${desc.size} bytes, more than ${limit}`);
  const { stream } = await source.fetchBlob(desc);
  return verifyBytes(desc, await readCapped(stream, limit, what), what);
}

function signedBy(layer: Descriptor, payload: Buffer, key: KeyObject | undefined): boolean {
  const b64 = layer.annotations?.[SIGNATURE_ANNOTATION];
  if (!key || !b64) return false;
  try {
    return verify('sha256', payload, { key: key.type === 'private' ? createPublicKey(key) : key, dsaEncoding: 'der' }, Buffer.from(b64, 'base64'));
  } catch {
    return false;
  }
}

/** One signature to store: the payload and the raw signature over it. */
export interface NewSignature {
  payload: Buffer;
  signature: Buffer;
}

/** What appending did: the `.sig` manifest now, and how many layers it had before. */
export interface AppendResult {
  tag: string;
  digest: string;
  /** Signatures in the manifest before (kept), and after. */
  before: number;
  after: number;
  /** Whether any signature was added (false: each was there already). */
  added: boolean;
}

/** How many times appendSignatures writes again after another writer replaced the `.sig` manifest under it. */
const APPEND_ATTEMPTS = 5;

/**
 * Adds signatures to `subject`'s `.sig` manifest (made when there is none), keeping every layer it already holds
 * — signing never replaces a signature. A signature already there (same payload and signature) is not added twice.
 * `source` and `destination` are the same repository or layout.
 *
 * The tag is read, then written (SIGNATURE_SPEC.md: "works but is racy"): after writing, it is read again, and when
 * another signer has written a manifest without ours in between, ours is added to theirs and written again — so two
 * regctl signers at once both end up in it. (A destination that shows writes only at commit, a layout, shows the
 * manifest as it was: nothing to do.)
 */
export async function appendSignatures(source: SourceTarget, destination: DestinationTarget, subject: Descriptor, add: NewSignature[], signal?: AbortSignal, signer?: KeyObject): Promise<AppendResult> {
  const tag = signatureTag(subject.digest);
  let existing = await readSignatureManifest(source, subject, signal);
  const before = existing?.manifest.kind === 'image' ? existing.manifest.layers.length : 0;
  for (let attempt = 1; ; attempt++) {
    const written = await writeAppended(destination, tag, existing, add, signal, signer);
    if (!written) return { tag, digest: existing!.desc.digest, before, after: existing!.manifest.kind === 'image' ? existing!.manifest.layers.length : 0, added: attempt > 1 };
    const now = await readSignatureManifest(source, subject, signal);
    const ours = (m: SignatureManifest | undefined) => m?.desc.digest === written.digest || (m?.manifest.kind === 'image' && written.added.every((d) => m.manifest.kind === 'image' && m.manifest.layers.some((l) => sameSignature(l, d))));
    // ours is there, or the destination shows the manifest as it was before (its writes show at commit)
    if (ours(now) || now?.desc.digest === existing?.desc.digest || attempt >= APPEND_ATTEMPTS) {
      return { tag, digest: written.digest, before, after: written.layers, added: true };
    }
    existing = now;
  }
}

function sameSignature(a: Descriptor, b: Descriptor): boolean {
  return a.digest === b.digest && a.annotations?.[SIGNATURE_ANNOTATION] === b.annotations?.[SIGNATURE_ANNOTATION];
}

/** Writes `existing`'s layers plus the new signatures not in it yet; undefined when there was nothing to add. */
async function writeAppended(destination: DestinationTarget, tag: string, existing: SignatureManifest | undefined, add: NewSignature[], signal: AbortSignal | undefined, signer: KeyObject | undefined): Promise<{ digest: string; layers: number; added: Descriptor[] } | undefined> {
  if (existing?.manifest.kind === 'index') {
    throw new IntegrityError(`${destination.description}: ${tag} holds an index, not cosign's signature manifest: not replaced`, { code: 'ERR_MANIFEST_INVALID' });
  }
  const layers: Descriptor[] = [...(existing?.manifest.layers ?? [])];
  const blobs: Array<{ desc: Descriptor; bytes: Buffer }> = [];
  const added: Descriptor[] = [];
  for (const s of add) {
    const desc: Descriptor = {
      mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
      size: s.payload.length,
      digest: sha256Digest(s.payload),
      annotations: { [SIGNATURE_ANNOTATION]: s.signature.toString('base64') },
    };
    // Already there: the same payload with the same signature, or (ECDSA signatures differ each time) one the same
    // key made over the same payload — as cosign's duplicate detection does.
    if (layers.some((l) => sameSignature(l, desc) || (l.digest === desc.digest && signedBy(l, s.payload, signer)))) continue;
    layers.push(desc);
    added.push(desc);
    blobs.push({ desc, bytes: s.payload });
  }
  if (existing && added.length === 0) return undefined;
  // An image config as go-containerregistry's empty image with the layers appended (what cosign writes).
  const config = Buffer.from(JSON.stringify({
    architecture: '',
    created: '0001-01-01T00:00:00Z',
    history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
    os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    config: {},
  }));
  const configDesc: Descriptor = { mediaType: OCI_CONFIG, size: config.length, digest: sha256Digest(config) };
  blobs.push({ desc: configDesc, bytes: config });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers }));
  const desc: Descriptor = { mediaType: OCI_MANIFEST, digest: sha256Digest(manifest), size: manifest.length };
  for (const b of blobs) {
    signal?.throwIfAborted();
    if (!(await destination.hasBlob(b.desc))) await destination.pushBlob(b.desc, async () => Readable.from([b.bytes]));
  }
  signal?.throwIfAborted();
  await destination.pushManifest(desc, manifest, { tag });
  return { digest: desc.digest, layers: layers.length, added };
}

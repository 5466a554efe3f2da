import { createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import { RegctlError } from '../errors.js';
import { sha256Digest, verifyBytes } from '../oci/digest.js';
import { parseJson } from '../oci/json.js';
import type { Descriptor } from '../oci/manifest.js';
import { parseManifest } from '../oci/manifest.js';
import { OCI_EMPTY, OCI_MANIFEST } from '../oci/media-types.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * Sigstore bundles attached to images as OCI 1.1 referrers, as cosign v3 writes and reads them (cosign's
 * specs/BUNDLE_SPEC.md and pkg/oci/remote/write.go `WriteAttestationNewBundleFormat`): an image manifest with
 * `artifactType` application/vnd.dev.sigstore.bundle.v0.3+json, the empty `{}` config, one layer of that media type
 * holding the bundle's JSON, `subject` = the signed manifest, and the annotations `dev.sigstore.bundle.content`,
 * `dev.sigstore.bundle.predicateType` and `org.opencontainers.image.created`. Registries without the referrers API
 * get it listed in the referrers tag schema (`sha256-<hex>`) by the registry target, which appends to the index.
 *
 * A signature made by `cosign sign` in the bundle format (cosign v3's default) is not a bare message signature: it is
 * a DSSE envelope holding an in-toto statement whose subject is the manifest digest and whose predicate type is
 * `https://sigstore.dev/cosign/sign/v1` — that is what cosign v3 verifies for an image (it refuses a bundle without a
 * DSSE envelope). regctl writes the same, signed with a key (no certificate, no transparency log: no network).
 */

export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** Every media type a bundle layer may have (cosign reads the `application/vnd.dev.sigstore.bundle` prefix). */
export const BUNDLE_MEDIA_PREFIX = 'application/vnd.dev.sigstore.bundle';
/** The predicate type of cosign v3's image signatures. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const ANNOTATION_CONTENT = 'dev.sigstore.bundle.content';
export const ANNOTATION_PREDICATE = 'dev.sigstore.bundle.predicateType';
const CREATED = 'org.opencontainers.image.created';

const EMPTY = Buffer.from('{}');

/** DSSE's pre-authentication encoding. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `), payload]);
}

/** cosign's public key hint: base64 of sha256 over the key's SPKI DER (sigstore-go's keypair hint). */
export function keyHint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

export interface KeyBundleOptions {
  /** In-toto subject annotations (cosign's `-a KEY=VALUE`). */
  annotations?: Record<string, string>;
  /** The statement's predicate type and predicate: default cosign's signature predicate, `{}`. */
  predicateType?: string;
  predicate?: unknown;
}

/**
 * A Sigstore bundle v0.3 signing `digest` (`sha256:<hex>`) with a key, as `cosign sign --key` writes it in the
 * bundle format: a DSSE envelope over an in-toto v1 statement (subject: the digest), an ECDSA signature over the
 * envelope's PAE, the public key named by its hint. Returns the bundle's JSON bytes.
 */
export function keyBundle(privateKey: KeyObject, publicKey: KeyObject, digest: string, opts: KeyBundleOptions = {}): Buffer {
  const colon = digest.indexOf(':');
  const subject: Record<string, unknown> = { digest: { [digest.slice(0, colon)]: digest.slice(colon + 1) } };
  if (opts.annotations && Object.keys(opts.annotations).length) subject.annotations = opts.annotations;
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [subject],
    predicateType: opts.predicateType ?? COSIGN_SIGN_PREDICATE,
    predicate: opts.predicate ?? {},
  };
  const payload = Buffer.from(JSON.stringify(statement));
  const sig = cryptoSign('sha256', preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), privateKey);
  return Buffer.from(JSON.stringify({
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint(publicKey) } },
    dsseEnvelope: { payload: payload.toString('base64'), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: sig.toString('base64') }] },
  }));
}

/** The referrer manifest cosign v3 writes for a bundle about `subject` (field order as cosign's Go encoding). */
export function bundleManifest(subject: Descriptor, bundle: Buffer, predicateType: string, now: Date): { manifest: Buffer; desc: Descriptor; config: Descriptor; layer: Descriptor } {
  const config: Descriptor = { mediaType: OCI_EMPTY, size: EMPTY.length, digest: sha256Digest(EMPTY) };
  const layer: Descriptor = { mediaType: BUNDLE_MEDIA_TYPE, size: bundle.length, digest: sha256Digest(bundle) };
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { ...config, artifactType: BUNDLE_MEDIA_TYPE },
    layers: [layer],
    annotations: {
      [ANNOTATION_CONTENT]: 'dsse-envelope',
      [ANNOTATION_PREDICATE]: predicateType,
      [CREATED]: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
    subject: { mediaType: subject.mediaType, size: subject.size, digest: subject.digest },
    artifactType: BUNDLE_MEDIA_TYPE,
  }));
  return { manifest, desc: { mediaType: OCI_MANIFEST, digest: sha256Digest(manifest), size: manifest.length }, config, layer };
}

/**
 * Pushes a bundle as a referrer of `subject` to `target` (which lists it in its subject's referrers: the registry's
 * API, else the referrers tag schema, appended to). Existing referrers are kept. Returns the referrer's descriptor.
 */
export async function pushBundle(target: DestinationTarget, subject: Descriptor, bundle: Buffer, predicateType: string, now: Date): Promise<Descriptor> {
  const { manifest, desc, config, layer } = bundleManifest(subject, bundle, predicateType, now);
  for (const [d, bytes] of [[config, EMPTY], [layer, bundle]] as const) {
    if (!(await target.hasBlob(d))) await target.pushBlob(d, async () => Readable.from([bytes]));
  }
  await target.pushManifest(desc, manifest, {});
  return desc;
}

/** A bundle found among an image's referrers: where (the referrer manifest's digest), and its JSON or why not read. */
export interface FoundBundle {
  /** The referrer manifest's digest. */
  location: string;
  /** The bundle's parsed JSON, when it could be read. */
  json?: unknown;
  /** Why it could not be read (a malformed manifest or bundle, a missing blob). */
  error?: string;
  /** The manifest's `dev.sigstore.bundle.predicateType` annotation (a hint only: the statement decides). */
  predicateType?: string;
}

/** The largest bundle read (a bundle is a few KiB; a registry's answer is untrusted). */
const MAX_BUNDLE = 4 * 1024 * 1024;
const MAX_MANIFEST = 4 * 1024 * 1024;
/** The most bundles read for one image (each is a manifest and a blob to fetch; a registry's listing is untrusted). */
export const MAX_BUNDLES = 256;

/**
 * The Sigstore bundles attached to `subject` as referrers in `source` (any artifactType starting with
 * application/vnd.dev.sigstore.bundle, each layer of a bundle media type). Unreadable ones are returned with
 * `error`, so that a verifier can report them.
 */
export async function findBundles(source: SourceTarget, subject: Descriptor): Promise<FoundBundle[]> {
  const list = (await source.referrers?.(subject)) ?? [];
  const out: FoundBundle[] = [];
  let seen = 0;
  for (const r of list) {
    if (r.tag) continue; // cosign digest tags (.sig, .att) are not bundles
    const type = r.desc.artifactType ?? '';
    if (!type.startsWith(BUNDLE_MEDIA_PREFIX)) continue;
    if (++seen > MAX_BUNDLES) {
      out.push({ location: r.desc.digest, error: `not read, nor any after it: more than ${MAX_BUNDLES} bundle referrers` });
      break;
    }
    const location = r.desc.digest;
    const predicateType = r.desc.annotations?.[ANNOTATION_PREDICATE];
    const base = { location, ...(predicateType ? { predicateType } : {}) };
    try {
      if (r.desc.size > MAX_MANIFEST) throw new Error(`manifest of ${r.desc.size} bytes`);
      const bytes = verifyBytes(r.desc, await source.fetchManifest(r.desc), `referrer ${location}`);
      const doc = parseManifest(bytes, r.desc.mediaType, `referrer ${location}`);
      if (doc.kind !== 'image') throw new Error('not an image manifest');
      if (doc.subject?.digest !== subject.digest) throw new Error(`its subject is ${doc.subject?.digest ?? 'missing'}, not ${subject.digest}`);
      const layers = doc.layers.filter((l) => l.mediaType.startsWith(BUNDLE_MEDIA_PREFIX));
      if (!layers.length) throw new Error('no bundle layer');
      for (const layer of layers) out.push({ ...base, json: await readBundle(source, layer) });
    } catch (err) {
      // Unreadable content is a refused signature; the registry not answering (network, auth, cancel) is an error.
      if (err instanceof RegctlError && err.exitCode !== 3 && err.exitCode !== 6) throw err;
      out.push({ ...base, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

async function readBundle(source: SourceTarget, layer: Descriptor): Promise<unknown> {
  if (layer.size > MAX_BUNDLE) throw new Error(`bundle of ${layer.size} bytes (at most ${MAX_BUNDLE})`);
  const { stream } = await source.fetchBlob(layer);
  const chunks: Buffer[] = [];
  for await (const chunk of verified(stream, layer, `bundle ${layer.digest}`)) chunks.push(chunk as Buffer);
  return parseJson(Buffer.concat(chunks), `bundle ${layer.digest}`);
}

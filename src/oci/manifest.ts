import { IntegrityError } from '../errors.js';
import { isIndexMediaType } from './media-types.js';
import type { Platform } from './platform.js';
import { parseJson } from './json.js';

/** BuildKit's annotations on an index entry that refers to another entry (an attestation manifest of an image). */
export const REFERENCE_TYPE = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  /** OCI 1.1: the type of an artifact (a referrer's kind: signature, SBOM, attestation). */
  artifactType?: string;
  /** Where a non-distributable (foreign) layer can be downloaded from. */
  urls?: string[];
}

/** What image manifests and indexes both have. */
export interface ManifestCommon {
  /** The media type it was read as (the registry's Content-Type, else the JSON's `mediaType`). */
  mediaType: string;
  /** OCI 1.1: the manifest this one refers to (a signature's image), making it a referrer. */
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** An OCI image index or Docker manifest list, parsed. */
export interface ImageIndex extends ManifestCommon {
  kind: 'index';
  manifests: Descriptor[];
}

/** An OCI image manifest or Docker schema 2 manifest (an image or an artifact), parsed. */
export interface ImageManifest extends ManifestCommon {
  kind: 'image';
  config: Descriptor;
  layers: Descriptor[];
}

/**
 * Parses manifest bytes just enough to walk them; the bytes themselves are never re-serialized. Malformed bytes are
 * an IntegrityError (exit 6), wherever they came from.
 */
export function parseManifest(bytes: Buffer, mediaType: string, what: string): ImageIndex | ImageManifest {
  let doc: Record<string, unknown>;
  try {
    doc = parseJson(bytes, `${what}: manifest`) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof IntegrityError) throw err;
    throw invalid(`${what}: manifest is not valid JSON`, err);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid(`${what}: manifest is not a JSON object`);
  const mt = mediaType || (typeof doc.mediaType === 'string' ? doc.mediaType : '');
  const common: ManifestCommon = { mediaType: mt };
  if (doc.subject !== undefined) common.subject = descriptor(doc.subject, what);
  if (typeof doc.artifactType === 'string') common.artifactType = doc.artifactType;
  const annotations = stringMap(doc.annotations);
  if (annotations) common.annotations = annotations;
  if (isIndexMediaType(mt) || (Array.isArray(doc.manifests) && !doc.config)) {
    return { kind: 'index', ...common, manifests: descriptors(doc.manifests, what) };
  }
  if (doc.config && typeof doc.config === 'object') {
    return { kind: 'image', ...common, config: descriptor(doc.config, what), layers: descriptors(doc.layers ?? [], what) };
  }
  if (doc.schemaVersion === 1) throw invalid(`${what}: schema 1 manifests are not supported`);
  throw invalid(`${what}: unknown manifest type "${mt}"`);
}

/** The blobs an image manifest names: its config, then its layers. */
export function imageBlobs(m: ImageManifest): Descriptor[] {
  return [m.config, ...m.layers];
}

function invalid(message: string, cause?: unknown): IntegrityError {
  return new IntegrityError(message, { code: 'ERR_MANIFEST_INVALID', ...(cause === undefined ? {} : { cause }) });
}

function descriptors(list: unknown, what: string): Descriptor[] {
  if (!Array.isArray(list)) throw invalid(`${what}: malformed manifest (expected a list of descriptors)`);
  return list.map((d) => descriptor(d, what));
}

const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function descriptor(d: unknown, what: string): Descriptor {
  const o = d as Record<string, unknown>;
  // The OCI digest grammar (no "/" or "..": a digest names files) and a size that is a whole, non-negative number.
  if (typeof o?.digest !== 'string' || !DIGEST_GRAMMAR.test(o.digest) || typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) {
    throw invalid(`${what}: malformed descriptor in manifest`);
  }
  const out: Descriptor = { mediaType: typeof o.mediaType === 'string' ? o.mediaType : '', digest: o.digest, size: o.size };
  const p = o.platform as Record<string, unknown> | undefined;
  if (p && typeof p.os === 'string' && typeof p.architecture === 'string') {
    out.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) };
  }
  const annotations = stringMap(o.annotations);
  if (annotations) out.annotations = annotations;
  if (typeof o.artifactType === 'string') out.artifactType = o.artifactType;
  if (Array.isArray(o.urls) && o.urls.every((u) => typeof u === 'string')) out.urls = o.urls as string[];
  return out;
}

/** A JSON object of strings (annotations), without inherited or prototype-polluting keys. */
function stringMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string> = Object.create(null);
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string' && k !== '__proto__') out[k] = val;
  return { ...out };
}

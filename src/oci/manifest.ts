import { RegistryError } from '../errors.js';
import { isIndexMediaType } from './media-types.js';
import type { Platform } from './platform.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export interface ImageManifest {
  kind: 'image';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** Parses manifest bytes just enough to walk them; the bytes themselves are never re-serialized. */
export function parseManifest(bytes: Buffer, mediaType: string, what: string): ImageIndex | ImageManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new RegistryError(`${what}: manifest is not valid JSON`, 200, [], { cause: err });
  }
  const mt = mediaType || (typeof doc.mediaType === 'string' ? doc.mediaType : '');
  if (isIndexMediaType(mt) || (Array.isArray(doc.manifests) && !doc.config)) {
    return { kind: 'index', mediaType: mt, manifests: descriptors(doc.manifests, what) };
  }
  if (doc.config && typeof doc.config === 'object') {
    return { kind: 'image', mediaType: mt, config: descriptor(doc.config, what), layers: descriptors(doc.layers ?? [], what) };
  }
  if (doc.schemaVersion === 1) throw new RegistryError(`${what}: schema 1 manifests are not supported`, 200);
  throw new RegistryError(`${what}: unknown manifest type "${mt}"`, 200);
}

function descriptors(list: unknown, what: string): Descriptor[] {
  if (!Array.isArray(list)) throw new RegistryError(`${what}: malformed manifest (expected a list of descriptors)`, 200);
  return list.map((d) => descriptor(d, what));
}

function descriptor(d: unknown, what: string): Descriptor {
  const o = d as Record<string, unknown>;
  if (typeof o?.digest !== 'string' || typeof o.size !== 'number') {
    throw new RegistryError(`${what}: malformed descriptor in manifest`, 200);
  }
  const out: Descriptor = { mediaType: typeof o.mediaType === 'string' ? o.mediaType : '', digest: o.digest, size: o.size };
  const p = o.platform as Record<string, unknown> | undefined;
  if (p && typeof p.os === 'string' && typeof p.architecture === 'string') {
    out.platform = { os: p.os, architecture: p.architecture, ...(typeof p.variant === 'string' ? { variant: p.variant } : {}) };
  }
  if (o.annotations && typeof o.annotations === 'object') out.annotations = o.annotations as Record<string, string>;
  return out;
}

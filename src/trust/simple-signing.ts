import { RegctlError } from '../errors.js';

/**
 * cosign's simple-signing payload (SIGNATURE_SPEC.md "Simple Signing", after containers-signature(5)): the bytes that
 * are signed, stored as a blob of media type `application/vnd.dev.cosign.simplesigning.v1+json`:
 *
 *     {"critical":{"identity":{"docker-reference":"<registry>/<repository>"},
 *                  "image":{"docker-manifest-digest":"sha256:…"},
 *                  "type":"cosign container image signature"},
 *      "optional":{…user claims…} | null}
 */

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** The layer annotation holding the base64 signature over the payload. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';
/** The most bytes a payload may have (cosign's are a few hundred). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** A payload, read. */
export interface SimpleSigningPayload {
  /** `critical.identity.docker-reference`. */
  dockerReference: string;
  /** `critical.image.docker-manifest-digest`. */
  digest: string;
  /** `optional`, when it is an object. */
  optional?: Record<string, unknown>;
  /** `optional.timestamp` (Unix seconds) as ISO 8601, when there is one. */
  time?: string;
}

/** The payload bytes for a manifest digest, in cosign's key order; `optional` is null without claims, as cosign writes it. */
export function buildPayload(dockerReference: string, digest: string, optional?: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': digest },
      type: COSIGN_SIGNATURE_TYPE,
    },
    optional: optional && Object.keys(optional).length ? optional : null,
  }));
}

/** Reads payload bytes; a RegctlError (ERR_SIGNATURE_MALFORMED) says what is wrong with them. */
export function parsePayload(bytes: Buffer): SimpleSigningPayload {
  const bad = (why: string) => new RegctlError('ERR_SIGNATURE_MALFORMED', `malformed payload: ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw bad('not JSON');
  }
  const critical = field(obj(doc), 'critical');
  if (!critical) throw bad('no "critical" object');
  const type = field(critical, 'type', 'string');
  if (type !== COSIGN_SIGNATURE_TYPE) throw bad(`critical.type is ${JSON.stringify(type)}, not "${COSIGN_SIGNATURE_TYPE}"`);
  const digest = field(field(critical, 'image'), 'docker-manifest-digest', 'string');
  if (typeof digest !== 'string') throw bad('no critical.image.docker-manifest-digest');
  const ref = field(field(critical, 'identity'), 'docker-reference', 'string');
  const optional = field(obj(doc), 'optional');
  const out: SimpleSigningPayload = { dockerReference: typeof ref === 'string' ? ref : '', digest };
  if (optional) {
    out.optional = optional;
    const ts = optional.timestamp;
    if (typeof ts === 'number' && Number.isFinite(ts) && Math.abs(ts) < 1e11) out.time = new Date(ts * 1000).toISOString();
  }
  return out;
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A member of an object by name; Go's JSON decoding (cosign's) matches names case-insensitively, and so does this. */
function field(o: Record<string, unknown> | undefined, name: string): Record<string, unknown> | undefined;
function field(o: Record<string, unknown> | undefined, name: string, kind: 'string'): unknown;
function field(o: Record<string, unknown> | undefined, name: string, kind?: 'string'): unknown {
  if (!o) return undefined;
  const key = name in o ? name : Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : o[key];
  return kind ? v : obj(v);
}

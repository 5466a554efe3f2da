import type { KeyObject } from 'node:crypto';

/**
 * The shapes shared by everything under src/trust: signing (keys, tag-based simple signing, bundles), the verify
 * orchestrator (verify.ts) and trust policies. Trust sits beside ops: ops and api import it; it imports content,
 * registry, store, archive, transport, auth, oci, ref, errors and util.
 */

/**
 * How a signature is stored: `simplesigning` is cosign's tag-based form (a `sha256-<hex>.sig` tag holding
 * simple-signing payloads, SIGNATURE_SPEC.md); `bundle` is a Sigstore bundle attached as an OCI 1.1 referrer.
 */
export type SignatureFormat = 'simplesigning' | 'bundle';

/** One signature found for an image, and the verdict on it. */
export interface SignatureCheck {
  format: SignatureFormat;
  /**
   * Where it was found: `<tag>@<manifest digest>#<layer index>` for a tag-based signature
   * (`sha256-<hex>.sig@sha256:…#0`), the referrer manifest's digest for a bundle.
   */
  location: string;
  /** The signer: the key's fingerprint (sha256 of its SubjectPublicKeyInfo DER, hex) or a certificate identity (SAN). */
  signer?: string;
  /** The OIDC issuer of a keyless certificate. */
  issuer?: string;
  /** When it was signed (ISO 8601), when the signature says: the payload's `optional.timestamp`, a tlog's integratedTime. */
  time?: string;
  /** The docker reference the signature claims (`critical.identity.docker-reference`), when it names one. */
  identity?: string;
  /** The payload's `optional` claims (cosign `-a KEY=VALUE`), when there are any. */
  annotations?: Record<string, unknown>;
  valid: boolean;
  /**
   * Why not valid, starting with one of: `wrong key` (no given key verifies it), `digest mismatch` (it signs another
   * manifest), `identity` (it names another image), `expired`, `malformed` (unreadable payload or signature),
   * `certificate`, `tlog`, `annotations`.
   */
  reason?: string;
}

/**
 * How the docker reference a signature claims must match the image checked (policy.json's signedIdentity):
 * `exact` — same repository, and the same tag when the image is named by tag; `repository` — same repository
 * (cosign writes no tag); `any` — not checked. A function decides itself: it gets the claimed reference and returns
 * undefined to accept or the reason it refuses (policy's exactReference, remapIdentity… are written this way).
 */
export type IdentityMatch = 'exact' | 'repository' | 'any' | ((claimed: string) => string | undefined);

/** The certificate identity a keyless signature must carry, and the trust root its chain must reach. */
export interface KeylessRequirement {
  /** A Sigstore trusted root (trusted_root.json, parsed). */
  trustedRoot: unknown;
  identity?: string;
  identityRegexp?: string;
  issuer?: string;
  issuerRegexp?: string;
}

/** What makes a signature acceptable: one of `keys` verifies it, or it is keyless and meets `keyless`. */
export interface TrustRequirement {
  /** Public keys (node:crypto KeyObjects; src/trust/keys.ts readPublicKey). */
  keys?: KeyObject[];
  keyless?: KeylessRequirement;
  /** Default `repository`. */
  identityMatch?: IdentityMatch;
  /** Payload claims every accepted signature must carry (cosign verify `-a KEY=VALUE`). */
  annotations?: Record<string, string>;
}

// cosign's tag-based signatures made for tests straight from SIGNATURE_SPEC.md with node:crypto and raw registry
// calls (seed.ts), independent of regctl's own signing code: a `sha256-<hex>.sig` OCI manifest whose layers are
// simple-signing payloads, each annotated with the base64 ECDSA-P256-SHA256 signature over its bytes.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { blobDescriptor, seedManifest, type SeedTarget } from './seed.js';

export interface TestKey {
  privateKey: KeyObject;
  /** The public key, PEM (what policy.json's keyPath file holds). */
  publicPem: string;
}

export function testKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The simple-signing payload cosign writes (`critical.identity.docker-reference` is the repository, or what is given). */
export function payload(dockerReference: string, digest: string): Buffer {
  return Buffer.from(JSON.stringify({
    critical: { identity: { 'docker-reference': dockerReference }, image: { 'docker-manifest-digest': digest }, type: 'cosign container image signature' },
    optional: null,
  }));
}

/**
 * Pushes `sha256-<hex>.sig` for `digest` in `repo`, one layer per signature: each `{ key, claimed, signs? }` signs a
 * payload claiming `claimed` for `signs` (default `digest`).
 */
export async function pushSignatures(target: SeedTarget, repo: string, digest: string, sigs: Array<{ key: KeyObject; claimed: string; signs?: string }>): Promise<string> {
  const payloads = sigs.map((s) => payload(s.claimed, s.signs ?? digest));
  const config = Buffer.from(JSON.stringify({
    architecture: '', config: {}, created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '',
    rootfs: { type: 'layers', diff_ids: payloads.map((p) => blobDescriptor(p, '').digest) },
  }));
  const layers = payloads.map((p, i) => blobDescriptor(p, 'application/vnd.dev.cosign.simplesigning.v1+json', {
    'dev.cosignproject.cosign/signature': sign('sha256', p, sigs[i]!.key).toString('base64'),
  }));
  const doc = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: blobDescriptor(config, 'application/vnd.oci.image.config.v1+json'),
    layers,
  };
  const tag = `${digest.replace(':', '-')}.sig`;
  await seedManifest(target, repo, tag, doc, [config, ...payloads]);
  return tag;
}

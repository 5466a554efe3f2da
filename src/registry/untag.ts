import { randomBytes } from 'node:crypto';
import { RegistryError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_V2, OCI_CONFIG, OCI_MANIFEST, baseMediaType, isSchema1MediaType } from '../oci/media-types.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { deleteBlob, uploadBytes } from './blobs.js';
import { deleteManifest, deleteTag, getManifest, putManifest } from './manifests.js';

/** How a tag was removed: the registry's tag DELETE, or a placeholder manifest pushed to the tag and deleted. */
export type UntagMethod = 'tag-delete' | 'placeholder';

/**
 * Removes one tag and nothing else: the manifest it pointed at (`current`) and that manifest's other tags stay.
 * DELETE on the tag where the registry supports it (OCI distribution 1.1); otherwise regclient's way: push a small
 * manifest that exists nowhere else (a config with a random label) to the tag, then delete that manifest by digest,
 * which takes the tag with it. Should that delete fail (a registry that refuses deletes), the tag is put back on
 * `current`, so nothing is left half-done.
 */
export async function removeTag(client: RegistryClient, repository: string, tag: string, current: { digest: string; mediaType: string }, what: string): Promise<UntagMethod> {
  if (await deleteTag(client, repository, tag, what)) return 'tag-delete';
  const p = placeholder(tag, current.mediaType);
  await uploadBytes(client, repository, p.configBytes);
  const put = await putManifest(client, repository, tag, p.manifestBytes, p.manifest.mediaType, what);
  try {
    if (put.digest && put.digest !== p.manifest.digest) {
      throw new RegistryError(`${what}: the registry stored the placeholder as ${put.digest}, not ${p.manifest.digest}`, 201);
    }
    await deleteManifest(client, repository, p.manifest.digest, what);
  } catch (err) {
    await restoreTag(client, repository, tag, current.digest, p.manifest.digest, what, err);
  }
  // The placeholder's config is referenced by nothing once its manifest is gone; a registry that keeps it is fine.
  await deleteBlob(client, repository, p.config.digest).catch(() => undefined);
  return 'placeholder';
}

/** The placeholder: an empty image of the original's family (Docker or OCI) whose config no other image has. */
function placeholder(tag: string, originalType: string) {
  const type = baseMediaType(originalType);
  const docker = type === DOCKER_MANIFEST_V2 || type === DOCKER_MANIFEST_LIST || isSchema1MediaType(type);
  const configBytes = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Labels: { 'regctl.untag': tag, 'regctl.nonce': randomBytes(16).toString('hex') } },
    rootfs: { type: 'layers', diff_ids: [] },
  }));
  const config = { mediaType: docker ? DOCKER_CONFIG : OCI_CONFIG, digest: sha256Digest(configBytes), size: configBytes.length };
  const mediaType = docker ? DOCKER_MANIFEST_V2 : OCI_MANIFEST;
  const manifestBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config, layers: [] }));
  return { config, configBytes, manifestBytes, manifest: { mediaType, digest: sha256Digest(manifestBytes) } };
}

/** Points the tag back at the manifest it had, then rethrows why the untag failed. */
async function restoreTag(client: RegistryClient, repository: string, tag: string, digest: string, placeholderDigest: string, what: string, why: unknown): Promise<never> {
  try {
    const original = await getManifest(client, repository, digest, what);
    await putManifest(client, repository, tag, original.bytes, original.mediaType, what);
  } catch {
    throw new RegistryError(`${what}: the tag could not be removed, and now points at a placeholder manifest ${placeholderDigest}`, 0, [], {
      cause: why,
      hint: `point it back by copying ${client.registry}/${repository}@${digest} to ${client.registry}/${repository}:${tag}`,
    });
  }
  throw why;
}

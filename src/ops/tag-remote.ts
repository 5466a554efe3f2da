import { UsageError } from '../errors.js';
import { isValidTag, parseReference } from '../ref/parse.js';
import { manifestReference } from '../ref/selector.js';
import { getManifest, putManifest } from '../registry/manifests.js';
import type { OpsContext } from './context.js';
import { sideClient, type WithCredentials } from './credentials.js';

export interface TagRemoteResult {
  /** The new tag's full name: `registry/repository:tag`. */
  name: string;
  /** The manifest both tags now point at. */
  digest: string;
}

/**
 * Gives a registry image another tag in its own repository (crane tag): the manifest is read once and PUT unchanged
 * under `newTag`, so the digest stays and no blob moves. `newTag` is a tag only (`v2`), not a name.
 */
export async function tagRemote(ctx: OpsContext, image: string, newTag: string, opts: WithCredentials = {}): Promise<TagRemoteResult> {
  if (!isValidTag(newTag)) {
    throw new UsageError(`${JSON.stringify(newTag)} is not a tag: a new tag of ${image} is one word of letters, digits, _ . - (up to 128), in the image's own repository`);
  }
  const ref = parseReference(image);
  const client = await sideClient(ctx, ref.registry, opts.credentials);
  const name = `${ref.registry}/${ref.repository}:${newTag}`;
  const what = `tagging ${ref.name} as ${name}`;
  const manifest = await getManifest(client, ref.repository, manifestReference(ref), what);
  await putManifest(client, ref.repository, newTag, manifest.bytes, manifest.mediaType, what);
  return { name, digest: manifest.digest };
}

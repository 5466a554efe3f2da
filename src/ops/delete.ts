import { parseReference } from '../ref/parse.js';
import { deleteManifest, headManifest } from '../registry/manifests.js';
import type { OpsContext } from './context.js';
import { tagsPointingAt, type TagsForDigestOptions } from './tags-for-digest.js';
import { untag, type UntagResult } from './untag.js';

export type DeleteResult =
  | { kind: 'tag'; untagged: UntagResult }
  /** A manifest deleted by digest, with the tags that pointed at it (gone with it). */
  | { kind: 'manifest'; digest: string; tags: string[] };

/**
 * `REPO:TAG` removes that tag only (untag); `REPO@DIGEST` deletes the manifest, and with it every tag that pointed at
 * it, which are found first (a HEAD per tag of the repository) to be reported.
 */
export async function deleteImage(ctx: OpsContext, image: string, opts: TagsForDigestOptions = {}): Promise<DeleteResult> {
  const ref = parseReference(image);
  if (!ref.digest) return { kind: 'tag', untagged: await untag(ctx, image) };
  const client = await ctx.transport.client(ref.registry);
  const what = `deleting ${ref.name}`;
  await headManifest(client, ref.repository, ref.digest, what); // NotFound before a HEAD per tag
  const tags = await tagsPointingAt(client, ref.repository, ref.digest, opts);
  await deleteManifest(client, ref.repository, ref.digest, what);
  return { kind: 'manifest', digest: ref.digest, tags };
}

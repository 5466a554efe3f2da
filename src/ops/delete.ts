import { UsageError } from '../errors.js';
import { parseReference } from '../ref/parse.js';
import { deleteManifest, headManifest } from '../registry/manifests.js';
import type { OpsContext } from './context.js';
import { sideClient, type WithCredentials } from './credentials.js';
import { tagsPointingAt, type TagsForDigestOptions } from './tags-for-digest.js';
import { untag, type UntagResult } from './untag.js';

export type DeleteResult =
  | { kind: 'tag'; untagged: UntagResult }
  | ({ kind: 'manifest' } & ManifestDeleteResult);

export interface ManifestDeleteResult {
  digest: string;
  /** The tags that pointed at it, gone with it (sorted). */
  tags: string[];
}

export interface DeleteOptions extends TagsForDigestOptions, WithCredentials {}

/** `REPO:TAG` removes that tag only (untag); `REPO@DIGEST` deletes the manifest with every tag on it. */
export async function deleteImage(ctx: OpsContext, image: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
  if (!parseReference(image).digest) return { kind: 'tag', untagged: await untag(ctx, image, { credentials: opts.credentials }) };
  return { kind: 'manifest', ...(await manifestDelete(ctx, image, opts)) };
}

/**
 * Deletes a manifest by digest (`REPO@DIGEST`) and with it every tag that pointed at it, which are found first
 * (a HEAD per tag of the repository) to be reported.
 */
export async function manifestDelete(ctx: OpsContext, image: string, opts: DeleteOptions = {}): Promise<ManifestDeleteResult> {
  const ref = parseReference(image);
  if (!ref.digest) {
    throw new UsageError(`${image} names no digest: a manifest is deleted by digest`, { hint: 'to remove only the tag, untag it' });
  }
  const client = await sideClient(ctx, ref.registry, opts.credentials);
  const what = `deleting ${ref.name}`;
  await headManifest(client, ref.repository, ref.digest, what); // NotFound before a HEAD per tag
  const tags = await tagsPointingAt(client, ref.repository, ref.digest, opts);
  await deleteManifest(client, ref.repository, ref.digest, what);
  return { digest: ref.digest, tags };
}

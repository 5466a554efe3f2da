import { UsageError } from '../errors.js';
import { parseReference } from '../ref/parse.js';
import { manifestReference } from '../ref/selector.js';
import { headManifestDigest } from '../registry/manifests.js';
import { removeTag, type UntagMethod } from '../registry/untag.js';
import type { OpsContext } from './context.js';
import { sideClient, type WithCredentials } from './credentials.js';

export interface UntagOptions extends WithCredentials {
  /** Check that the tag exists and say what it points at; remove nothing. */
  dryRun?: boolean;
}

export interface UntagResult {
  /** The tag's full name: `registry/repository:tag`. */
  name: string;
  /** The manifest it pointed at, which stays (with its other tags). */
  digest: string;
  /** How the registry was made to forget the tag; absent on a dry run. */
  method?: UntagMethod;
}

/**
 * Removes one tag of a registry repository (`REPO:TAG`; `latest` when none is given) and only that tag: the manifest
 * and its other tags stay. NotFoundError when the tag does not exist. See registry/untag.ts for how.
 */
export async function untag(ctx: OpsContext, image: string, opts: UntagOptions = {}): Promise<UntagResult> {
  const ref = parseReference(image);
  if (ref.digest) {
    throw new UsageError(`${image} names a digest; untag removes a tag (REPO:TAG)`, { hint: `to delete the manifest with every tag on it, delete ${ref.name}` });
  }
  const tag = manifestReference(ref); // a tag: a digest was refused above
  const client = await sideClient(ctx, ref.registry, opts.credentials);
  const what = `removing tag ${ref.name}`;
  const current = await headManifestDigest(client, ref.repository, tag, what);
  if (opts.dryRun) return { name: ref.name, digest: current.digest };
  const method = await removeTag(client, ref.repository, tag, current, what);
  return { name: ref.name, digest: current.digest, method };
}

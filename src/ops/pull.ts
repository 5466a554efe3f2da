import type { Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import type { OpsContext } from './context.js';
import { copyLocations } from './copy.js';
import { transferPolicy, type PolicyOption } from './policy-gate.js';
import type { TransferOptions } from './transfer-options.js';
import { dockerTransport } from './transports/docker.js';
import { localTransport } from './transports/local.js';

export interface PullOptions extends TransferOptions {
  /**
   * The platforms kept of a multi-platform index: `'all'` (the index whole), one (its image; NotFound when the image
   * lacks it), or several (a new index of exactly those). Default: the host's platform, like docker.
   */
  platform?: Platform[] | 'all';
  /** The trust policy the image must satisfy first (a path, `system`, or a policy read); default: regctl's config's. */
  policy?: PolicyOption | undefined;
}

export interface PullResult {
  name: string;
  /** What the reference points at in the registry (the index for a multi-platform image), as docker prints it. */
  digest: string;
  upToDate: boolean;
}

/** registry → local store: a copy from `IMAGE` (a plain reference, never a transport prefix) to `local:IMAGE`. */
export async function pull(ctx: OpsContext, image: string, opts: PullOptions = {}): Promise<PullResult> {
  const { platform: asked, credentials, policy, ...rest } = opts;
  const judged = await transferPolicy(ctx, policy);
  // Like docker's RepoDigests, a pull by digest names the digest pulled (an index's) even when the image stored is
  // the host platform's out of it: the store name is not a digest the stored manifest must have.
  const { expectDigest: _, ...into } = localTransport.parse(image, `local:${image}`);
  const result = await copyLocations(ctx, dockerTransport.parse(image, image), into, {
    ...rest,
    sourceCredentials: credentials,
    ...(judged ? { policy: judged } : {}),
    ...(asked === undefined ? { platform: ctx.platform } : asked === 'all' ? {} : asked.length === 1 ? { platform: asked[0]!, strictPlatform: true } : { platforms: asked }),
  });
  return { name: parseReference(image).name, digest: result.sourceDigest, upToDate: result.unchanged };
}

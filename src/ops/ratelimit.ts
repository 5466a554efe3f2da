import { parseReference } from '../ref/parse.js';
import { headManifest } from '../registry/manifests.js';
import type { RateLimit } from '../transport/ratelimit.js';
import type { OpsContext } from './context.js';
import { sideClient, type CredentialOptions } from './credentials.js';
import { manifestReference } from '../ref/selector.js';

export type { RateLimit } from '../transport/ratelimit.js';

export interface RateLimitResult {
  /** The full image name that was asked about. */
  name: string;
  registry: string;
  /** Undefined when the registry announced no limit (no `ratelimit-*` headers). */
  rateLimit?: RateLimit;
}

/** Docker Hub's pull rate limit for this client, from one HEAD of the image's manifest (a HEAD costs no pull). */
export interface RateLimitOptions {
  credentials?: CredentialOptions | undefined;
}

export async function rateLimit(ctx: OpsContext, image: string, opts: RateLimitOptions = {}): Promise<RateLimitResult> {
  const ref = parseReference(image);
  const client = await sideClient(ctx, ref.registry, opts.credentials);
  const head = await headManifest(client, ref.repository, manifestReference(ref), `checking the rate limit on ${ref.name}`);
  return { name: ref.name, registry: ref.registry, ...(head.rateLimit ? { rateLimit: head.rateLimit } : {}) };
}

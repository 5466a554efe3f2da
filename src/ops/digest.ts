import { NotFoundError } from '../errors.js';
import { isIndexMediaType } from '../oci/media-types.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import { getManifest, headManifest } from '../registry/manifests.js';
import type { OpsContext } from './context.js';
import { inspect } from './inspect.js';
import { manifestReference } from './resolve.js';
import { selectPlatform } from '../oci/select-platform.js';
import { parseManifest } from '../oci/manifest.js';

/**
 * The digest a reference points at, from one HEAD request (GET and hash when the registry sends no digest).
 * With `verify`, and always for a reference by digest, the manifest is fetched and hashed: the answer is proven,
 * not taken from the registry's Docker-Content-Digest header (a mismatch is an IntegrityError, exit 6).
 * With a platform: the digest of that platform's manifest in an index, read from the index itself.
 */
export async function digest(ctx: OpsContext, image: string, opts: { platform?: Platform; verify?: boolean } = {}): Promise<string> {
  const ref = parseReference(image);
  const client = await ctx.transport.client(ref.registry);
  const what = `fetching manifest for ${ref.name}`;
  const reference = manifestReference(ref);
  const verify = opts.verify === true || ref.digest !== undefined;
  const platform = opts.platform;
  if (verify && !platform) return (await getManifest(client, ref.repository, reference, what)).digest;
  const head = await headManifest(client, ref.repository, reference, what);
  if (!platform) return head.digest ?? (await getManifest(client, ref.repository, reference, what)).digest;
  if (head.mediaType && !isIndexMediaType(head.mediaType)) return imageDigestFor(ctx, image, platform);
  const top = await getManifest(client, ref.repository, head.digest ?? reference, what);
  const parsed = parseManifest(top.bytes, top.mediaType, what);
  if (parsed.kind !== 'index') return imageDigestFor(ctx, image, platform);
  const child = selectPlatform(parsed, platform, ref.name).digest;
  return verify ? (await getManifest(client, ref.repository, child, what)).digest : child;
}

/** A single-platform image answers for a platform only when its config says it is that platform. */
async function imageDigestFor(ctx: OpsContext, image: string, platform: Platform): Promise<string> {
  const result = await inspect(ctx, image);
  const have = result.image!.platform;
  if (!have || !platformMatches(platform, have)) {
    const what = have ? `a single-platform image for ${formatPlatform(have)}` : 'an artifact with no platform';
    throw new NotFoundError(`${result.name} is ${what}, not ${formatPlatform(platform)}`, {
      code: 'ERR_PLATFORM_NOT_FOUND',
    });
  }
  return result.digest;
}

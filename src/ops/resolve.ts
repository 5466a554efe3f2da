import { parseManifest, type ImageIndex, type ImageManifest } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import { selectPlatform } from '../oci/select-platform.js';
import { parseReference } from '../ref/parse.js';
import type { Reference } from '../ref/reference.js';
import { getManifest, type ManifestBytes } from '../registry/manifests.js';
import type { RegistryClient } from '../transport/registry-client.js';
import type { OpsContext } from './context.js';

export interface RemoteImage {
  ref: Reference;
  client: RegistryClient;
  /** The manifest the tag or digest points at. */
  top: ManifestBytes;
  /** After platform selection: the chosen image manifest, else `top`. */
  manifest: ManifestBytes;
  parsed: ImageIndex | ImageManifest;
}

/** The tag or digest to ask the registry for: the digest wins when both are given, like docker. */
export const manifestReference = (ref: Reference): string => ref.digest ?? ref.tag ?? 'latest';

/** Fetches an image's manifest, descending into an index when a platform is asked for. */
export async function fetchImage(ctx: OpsContext, image: string, platform?: Platform): Promise<RemoteImage> {
  const ref = parseReference(image);
  const client = await ctx.transport.client(ref.registry);
  const what = `fetching manifest for ${ref.name}`;
  const top = await getManifest(client, ref.repository, manifestReference(ref), what);
  const parsed = parseManifest(top.bytes, top.mediaType, what);
  if (!platform || parsed.kind !== 'index') return { ref, client, top, manifest: top, parsed };
  const chosen = selectPlatform(parsed, platform, ref.name);
  const manifest = await getManifest(client, ref.repository, chosen.digest, what);
  return { ref, client, top, manifest, parsed: parseManifest(manifest.bytes, manifest.mediaType, what) };
}

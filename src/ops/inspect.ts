import { IntegrityError, RegistryError } from '../errors.js';
import type { Platform } from '../oci/platform.js';
import { getBlobBytes } from '../registry/blobs.js';
import type { OpsContext } from './context.js';
import { fetchImage } from './resolve.js';

const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

export interface InspectResult {
  name: string;
  digest: string;
  mediaType: string;
  size: number;
  /** Exactly the manifest bytes the registry served. */
  raw: Buffer;
  /** For an index: one entry per manifest. */
  manifests?: { digest: string; mediaType: string; size: number; platform?: Platform }[];
  /** For an image: the parsed summary and the config bytes. */
  image?: ImageSummary;
  configRaw?: Buffer;
}

export interface ImageSummary {
  platform: Platform;
  created?: string;
  configDigest: string;
  layers: { digest: string; size: number; mediaType: string }[];
  totalSize: number;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
}

/** Reads what a reference points at: an index's platforms, or an image's config and layers. */
export async function inspect(ctx: OpsContext, image: string, opts: { platform?: Platform } = {}): Promise<InspectResult> {
  const img = await fetchImage(ctx, image, opts.platform);
  const { manifest, parsed, ref } = img;
  const base = { name: ref.name, digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.bytes.length, raw: manifest.bytes };
  if (parsed.kind === 'index') {
    return { ...base, manifests: parsed.manifests.map((d) => ({ digest: d.digest, mediaType: d.mediaType, size: d.size, ...(d.platform ? { platform: d.platform } : {}) })) };
  }
  const what = `fetching config of ${ref.name}`;
  const configRaw = await getBlobBytes(img.client, ref.repository, parsed.config.digest, MAX_CONFIG_BYTES, what);
  let config: Record<string, any>;
  try {
    config = JSON.parse(configRaw.toString('utf8'));
  } catch (err) {
    throw new RegistryError(`${what}: config is not valid JSON`, 200, [], { cause: err });
  }
  if (config.rootfs?.diff_ids && Array.isArray(config.rootfs.diff_ids) && config.rootfs.diff_ids.length !== parsed.layers.length) {
    throw new IntegrityError(`${ref.name}: the config lists ${config.rootfs.diff_ids.length} layers but the manifest ${parsed.layers.length}`);
  }
  const c = (config.config ?? {}) as Record<string, any>;
  const summary: ImageSummary = {
    platform: { os: String(config.os ?? ''), architecture: String(config.architecture ?? ''), ...(config.variant ? { variant: String(config.variant) } : {}) },
    configDigest: parsed.config.digest,
    layers: parsed.layers.map((l) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType })),
    totalSize: parsed.config.size + parsed.layers.reduce((n, l) => n + l.size, 0),
    ...(typeof config.created === 'string' ? { created: config.created } : {}),
    ...(Array.isArray(c.Entrypoint) ? { entrypoint: c.Entrypoint } : {}),
    ...(Array.isArray(c.Cmd) ? { cmd: c.Cmd } : {}),
    ...(Array.isArray(c.Env) ? { env: c.Env } : {}),
    ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
    ...(c.User ? { user: c.User } : {}),
    ...(c.Labels && typeof c.Labels === 'object' ? { labels: c.Labels } : {}),
  };
  return { ...base, image: summary, configRaw };
}

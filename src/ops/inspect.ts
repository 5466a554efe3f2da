import { checkImagePlatform, readManifest, readSmallBlob, resolveImage } from '../content/resolve.js';
import { IntegrityError, NotFoundError } from '../errors.js';
import type { ImageConfig } from '../oci/image-config.js';
import { REFERENCE_DIGEST, REFERENCE_TYPE, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/manifest.js';
import { DOCKER_CONFIG, OCI_CONFIG } from '../oci/media-types.js';
import type { Platform } from '../oci/platform.js';
import { selectPlatform } from '../oci/select-platform.js';
import { parseReference } from '../ref/parse.js';
import type { SourceTarget } from '../content/target.js';
import { LARGE_RESULTS, runBatch, type BatchInput, type BatchSummary, type OnResult, type Outcome } from './batch.js';
import type { OpsContext } from './context.js';
import type { CredentialOptions } from './credentials.js';
import { tags } from './list.js';
import { locationRegistries, withSource } from './transports/index.js';
import { parseJson } from '../oci/json.js';

export interface InspectResult {
  name: string;
  digest: string;
  mediaType: string;
  size: number;
  /** Exactly the manifest bytes the source holds. */
  raw: Buffer;
  /** The manifest parsed: an index (`kind: 'index'`, its `manifests`) or an image (`kind: 'image'`, `config`, `layers`). */
  manifest: ImageIndex | ImageManifest;
  /** Of an image in a registry: its repository (`localhost:5000/app`, `docker.io/library/alpine`). */
  repository?: string;
  /** With `repoTags`: every tag of the repository (of an image in a registry; none elsewhere). */
  repoTags?: string[];
  /** The manifest's `artifactType` (or, for an artifact without one, its config's media type). */
  artifactType?: string;
  /** The manifest's own annotations. */
  annotations?: Record<string, string>;
  /** The manifest this one refers to (signatures, SBOMs). */
  subject?: DescriptorView;
  /** For an index: one entry per manifest. */
  manifests?: DescriptorView[];
  /** For an image: the parsed summary and the config bytes. */
  image?: ImageSummary;
  configRaw?: Buffer;
  /** For an image: its config parsed, when it is a JSON object (an image's always is; an artifact's may be anything). */
  config?: ImageConfig;
  /**
   * With `platformImage`, for an index: the image of the context's platform (the host's) in it, as skopeo inspect
   * shows an index; absent when the index has none.
   */
  platformImage?: InspectResult;
}

/** A descriptor as the manifest has it: annotations, urls and artifactType kept. */
export interface DescriptorView {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  /** In an index: a BuildKit attestation manifest (provenance, SBOM), the digest of the image it attests. */
  attestationOf?: string;
}

export interface InspectOptions {
  /** Descend into an index to this platform's image (a single image must be that platform). */
  platform?: Platform | undefined;
  /** Also list the repository's tags as `repoTags` (a tag list request; skopeo inspect's RepoTags). */
  repoTags?: boolean;
  /** Of an index (no `platform`): also read the image of the context's platform as `platformImage`. */
  platformImage?: boolean;
  credentials?: CredentialOptions | undefined;
}

export interface ImageSummary {
  /** Absent for an artifact, whose config names no platform. */
  platform?: Platform;
  created?: string;
  configDigest: string;
  configMediaType: string;
  layers: DescriptorView[];
  totalSize: number;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
}

/**
 * Reads what a location (a registry reference, `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME]`, `local:IMAGE`, …)
 * points at: an index's platforms, or an image's config and layers. `platform` descends into an index; an image of
 * another platform (or none) is NotFound.
 */
export async function inspect(ctx: OpsContext, image: string, opts: InspectOptions = {}): Promise<InspectResult> {
  const registry = locationRegistries(image).length > 0;
  const ref = registry ? parseReference(image.replace(/^docker:\/\//, '')) : undefined;
  const repository = ref ? `${ref.registry}/${ref.repository}` : undefined;
  const result = await withSource(ctx, image, async (opened) => {
    const src = opened.target;
    const name = opened.name ?? src.description;
    const { top, bytes, doc } = await resolveImage(src, opts.platform ? { platform: opts.platform } : {});
    const read = await inspectManifest(src, name, top, bytes, doc, opts.platform);
    const platformImage = opts.platformImage && doc.kind === 'index' ? await imageOf(src, name, doc, ctx.platform) : undefined;
    return platformImage ? { ...read, platformImage } : read;
  }, opts.credentials);
  const repoTags = opts.repoTags ? (repository ? await tags(ctx, repository, { credentials: opts.credentials }) : []) : undefined;
  return { ...result, ...(repository ? { repository } : {}), ...(repoTags ? { repoTags } : {}) };
}

/**
 * Each image inspected (see inspect), 8 at a time in one context (one ping per registry, one token per repository),
 * repeated images asked once; outcomes in input order, a failure one image's outcome. Streamed to `onResult` when given.
 */
export async function inspectMany(ctx: OpsContext, images: BatchInput, opts: InspectOptions = {}, onResult?: OnResult<InspectResult>): Promise<Outcome<InspectResult>[] | BatchSummary> {
  const one = { ...opts, credentials: undefined };
  return runBatch(ctx, images, opts.credentials, (shared, image) => inspect(shared, image, one), onResult, LARGE_RESULTS);
}

/** The image of `platform` in an index (read from the same source), or undefined when the index has none. */
async function imageOf(src: SourceTarget, name: string, index: ImageIndex, platform: Platform): Promise<InspectResult | undefined> {
  let entry: Descriptor;
  try {
    entry = selectPlatform(index, platform, name);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
  const { bytes, doc } = await readManifest(src, entry);
  return inspectManifest(src, name, entry, bytes, doc, undefined);
}

async function inspectManifest(src: SourceTarget, name: string, top: Descriptor, bytes: Buffer, parsed: ImageIndex | ImageManifest, platform: Platform | undefined): Promise<InspectResult> {
  const doc = parseJson(bytes, name) as Record<string, unknown>;
  const isImageConfig = parsed.kind === 'image' && IMAGE_CONFIGS.has(parsed.config.mediaType);
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : parsed.kind === 'image' && !isImageConfig && parsed.config.mediaType !== EMPTY_CONFIG ? parsed.config.mediaType : undefined;
  const base = {
    name, digest: top.digest, mediaType: top.mediaType, size: bytes.length, raw: bytes, manifest: parsed,
    ...(artifactType ? { artifactType } : {}),
    ...(isStringMap(doc.annotations) ? { annotations: doc.annotations } : {}),
    ...(doc.subject && typeof doc.subject === 'object' ? { subject: descriptorView(doc.subject as Record<string, unknown>) } : {}),
  };
  if (parsed.kind === 'index') {
    return { ...base, manifests: rawList(doc.manifests).map(descriptorView).map(withAttestation) };
  }
  const configRaw = await readSmallBlob(src, parsed.config);
  let json: unknown;
  try {
    json = parseJson(configRaw, `${name}: config`);
  } catch (err) {
    if (err instanceof IntegrityError) throw err;
    // An artifact's config may be anything; an image's must be JSON.
    if (isImageConfig) throw new IntegrityError(`${name}: config ${parsed.config.digest} is not valid JSON`, { cause: err });
  }
  const config: Record<string, any> = isObject(json) ? json : {};
  if (config.rootfs?.diff_ids && Array.isArray(config.rootfs.diff_ids) && config.rootfs.diff_ids.length !== parsed.layers.length) {
    throw new IntegrityError(`${name}: the config lists ${config.rootfs.diff_ids.length} layers but the manifest ${parsed.layers.length}`);
  }
  const c = (config.config ?? {}) as Record<string, any>;
  const summary: ImageSummary = {
    ...(config.os && config.architecture
      ? { platform: { os: String(config.os), architecture: String(config.architecture), ...(config.variant ? { variant: String(config.variant) } : {}) } }
      : {}),
    configDigest: parsed.config.digest,
    configMediaType: parsed.config.mediaType,
    layers: rawList(doc.layers).map(descriptorView),
    totalSize: parsed.config.size + parsed.layers.reduce((n, l) => n + l.size, 0),
    ...(typeof config.created === 'string' ? { created: config.created } : {}),
    ...(Array.isArray(c.Entrypoint) ? { entrypoint: c.Entrypoint } : {}),
    ...(Array.isArray(c.Cmd) ? { cmd: c.Cmd } : {}),
    ...(Array.isArray(c.Env) ? { env: c.Env } : {}),
    ...(c.WorkingDir ? { workingDir: c.WorkingDir } : {}),
    ...(c.User ? { user: c.User } : {}),
    ...(c.Labels && typeof c.Labels === 'object' ? { labels: c.Labels } : {}),
  };
  if (platform) checkImagePlatform(name, summary.platform, platform);
  return { ...base, image: summary, configRaw, ...(isObject(json) ? { config: json as ImageConfig } : {}) };
}

const IMAGE_CONFIGS = new Set([OCI_CONFIG, DOCKER_CONFIG]);
const EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';

function rawList(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((d): d is Record<string, unknown> => !!d && typeof d === 'object') : [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

function descriptorView(d: Record<string, unknown>): DescriptorView {
  const view: DescriptorView = { mediaType: String(d.mediaType ?? ''), digest: String(d.digest ?? ''), size: Number(d.size ?? 0) };
  if (d.platform && typeof d.platform === 'object') view.platform = d.platform as Platform;
  if (typeof d.artifactType === 'string') view.artifactType = d.artifactType;
  if (isStringMap(d.annotations)) view.annotations = d.annotations;
  if (Array.isArray(d.urls) && d.urls.every((u) => typeof u === 'string')) view.urls = d.urls as string[];
  return view;
}

/** An index entry with what it is: BuildKit marks attestations with `vnd.docker.reference.*` annotations. */
function withAttestation(v: DescriptorView): DescriptorView {
  const of = v.annotations?.[REFERENCE_TYPE] === 'attestation-manifest' ? v.annotations[REFERENCE_DIGEST] : undefined;
  return of ? { ...v, attestationOf: of } : v;
}

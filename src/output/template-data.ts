/**
 * What `--format` templates see, command by command: skopeo's field names where skopeo shows the same data
 * (inspect: Name, Digest, RepoTags, Created, DockerVersion, Labels, Architecture, Variant, Os, Layers, LayersData,
 * Env; list-tags: Repository, Tags), docker's where docker does (images, search), Go's OCI type names elsewhere.
 * Each object is a record: a field it lacks is an error (exit 2) rather than an empty line.
 */
import type { Descriptor } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import type { ChangeResult } from '../ops/change-image.js';
import type { DescriptorView, InspectResult } from '../ops/inspect.js';
import { rateLimitView } from './ratelimit.js';
import type { RateLimitResult } from '../ops/ratelimit.js';
import type { ReferrerNode, ReferrersResult } from '../ops/referrers.js';
import type { images } from '../ops/images.js';
import type { search } from '../ops/search.js';
import type { SizeFigures, SizeReport } from '../ops/size.js';

type StoreImage = Awaited<ReturnType<typeof images>>[number];
import { formatTime, goTime } from '../template/time.js';
import { EMPTY_STRUCT, type GoType, mapOf, named, ptrTo, record, Scalar, sliceOf, structOf, T } from '../template/template.js';

type Json = Record<string, any>;

function parseJson(raw: Buffer | undefined): Json {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

const DIGEST = named('digest.Digest', T.string);
const STRINGS = sliceOf(T.string);
const LABELS = mapOf(T.string, T.string);
const SET = mapOf(T.string, EMPTY_STRUCT);
const ANNOTATIONS = mapOf(T.string, T.string);

const PLATFORM = structOf('v1.Platform', { Architecture: T.string, OS: T.string, OSVersion: T.string, OSFeatures: STRINGS, Variant: T.string });
/** The image spec's v1.Descriptor, its fields in Go's order (URLs, Data and the rest zero when absent). */
const DESCRIPTOR = structOf('v1.Descriptor', {
  MediaType: T.string, Digest: DIGEST, Size: T.int64, URLs: STRINGS, Annotations: ANNOTATIONS, Data: sliceOf(T.uint8), Platform: ptrTo(PLATFORM),
  ArtifactType: T.string,
});

/** An OCI descriptor under Go's field names and types (v1.Descriptor). */
export function descriptorData(d: DescriptorView | Descriptor): object {
  const view = d as DescriptorView & { urls?: string[] };
  const p = view.platform as (Platform & Json) | undefined;
  return record(
    {
      MediaType: d.mediaType,
      Digest: d.digest,
      Size: d.size,
      URLs: view.urls,
      Annotations: view.annotations,
      Platform: p && { Architecture: p.architecture, OS: p.os, OSVersion: p['os.version'] ?? p.osVersion, OSFeatures: p['os.features'], Variant: p.variant },
      ArtifactType: view.artifactType,
    },
    DESCRIPTOR,
  );
}

const LAYER_DATA = structOf('types.ImageInspectLayer', { MIMEType: T.string, Digest: DIGEST, Size: T.int64, Annotations: ANNOTATIONS });
const IMAGE_CONFIG = structOf('v1.ImageConfig', {
  User: T.string, ExposedPorts: SET, Env: STRINGS, Entrypoint: STRINGS, Cmd: STRINGS, Volumes: SET, WorkingDir: T.string,
  Labels: LABELS, StopSignal: T.string, ArgsEscaped: T.bool,
});

/**
 * skopeo inspect's struct (inspect.Output, as skopeo 1.9.3 has it: Name, Tag, Digest, RepoTags, Created,
 * DockerVersion, Labels, Architecture, Os, Layers, Env), then what newer skopeo and regctl add (Variant,
 * LayersData, MediaType, ArtifactType, Annotations, Size, Config, Manifests). Every field has its Go type, so a
 * value the image lacks prints as Go's zero value (`""`, `[]`, `map[]`, `0001-01-01 00:00:00 +0000 UTC`).
 */
const INSPECT = structOf('inspect.Output', {
  Name: T.string, Tag: T.string, Digest: DIGEST, RepoTags: STRINGS, Created: T.time, DockerVersion: T.string, Labels: LABELS,
  Architecture: T.string, Os: T.string, Layers: STRINGS, Env: STRINGS,
  Variant: T.string, LayersData: sliceOf(LAYER_DATA), MediaType: T.string, ArtifactType: T.string, Annotations: ANNOTATIONS,
  Size: T.int64, Config: IMAGE_CONFIG, Manifests: sliceOf(DESCRIPTOR),
});

/** The zero time skopeo shows for an image whose config has no `created`. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

const stringOr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const objectOr = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const listOr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/** An image config's `config` under Go's field names (v1.ImageConfig); absent fields are zero values. */
function imageConfigData(c: Json): object {
  const set = (v: unknown) => objectOr(v) && Object.fromEntries(Object.keys(v as Json).map((k) => [k, record({}, EMPTY_STRUCT)]));
  return record({
    User: stringOr(c.User), ExposedPorts: set(c.ExposedPorts), Env: listOr(c.Env), Entrypoint: listOr(c.Entrypoint), Cmd: listOr(c.Cmd),
    Volumes: set(c.Volumes), WorkingDir: stringOr(c.WorkingDir), Labels: objectOr(c.Labels), StopSignal: stringOr(c.StopSignal),
    ArgsEscaped: c.ArgsEscaped === true,
  }, IMAGE_CONFIG);
}

/**
 * `inspect`: skopeo inspect's fields, then regctl's. Name is the repository of a registry image (skopeo's). For an
 * index the image fields come from its `platformImage` (the host's platform, as skopeo picks it) when read; Digest
 * stays the index's. RepoTags is filled only when read.
 */
export function inspectData(r: InspectResult): object {
  const img = r.image ? r : r.platformImage;
  const config: Json = img?.config ?? {};
  const c: Json = objectOr(config.config) ?? {};
  const layers = img?.image?.layers ?? [];
  return record(
    {
      Name: r.repository ?? r.name,
      Digest: r.digest,
      RepoTags: r.repoTags,
      Created: new Scalar(T.time, stringOr(config.created) ?? ZERO_TIME),
      DockerVersion: stringOr(config.docker_version),
      Labels: objectOr(c.Labels),
      Architecture: stringOr(config.architecture),
      Variant: stringOr(config.variant),
      Os: stringOr(config.os),
      Layers: layers.map((l) => l.digest),
      LayersData: layers.map((l) => record({ MIMEType: l.mediaType, Digest: l.digest, Size: l.size, Annotations: l.annotations }, LAYER_DATA)),
      Env: listOr(c.Env),
      MediaType: r.mediaType,
      ArtifactType: r.artifactType,
      Annotations: r.annotations,
      Size: img?.image?.totalSize,
      Config: imageConfigData(c),
      Manifests: (r.manifests ?? []).map(descriptorData),
    },
    INSPECT,
  );
}

const HISTORY = structOf('v1.History', { Created: T.time, CreatedBy: T.string, Author: T.string, Comment: T.string, EmptyLayer: T.bool });
const IMAGE = ptrTo(structOf('v1.Image', {
  Created: T.time, Author: T.string, Architecture: T.string, Variant: T.string, OS: T.string, OSVersion: T.string, OSFeatures: STRINGS,
  Config: IMAGE_CONFIG, RootFS: structOf('v1.RootFS', { Type: T.string, DiffIDs: sliceOf(DIGEST) }), History: sliceOf(HISTORY),
}));

/** An image config under Go's field names (*v1.Image, as `skopeo inspect --config --format` sees it). */
export function configData(raw: Buffer): object {
  const c = parseJson(raw);
  const rootfs = objectOr(c.rootfs) ?? {};
  return record(
    {
      Created: stringOr(c.created) !== undefined ? new Scalar(T.time, c.created) : undefined,
      Author: stringOr(c.author),
      Architecture: stringOr(c.architecture),
      Variant: stringOr(c.variant),
      OS: stringOr(c.os),
      OSVersion: stringOr(c['os.version']),
      OSFeatures: listOr(c['os.features']),
      Config: imageConfigData(objectOr(c.config) ?? {}),
      RootFS: record({ Type: stringOr(rootfs.type), DiffIDs: listOr(rootfs.diff_ids) }, IMAGE.elem!.fields!.find(([n]) => n === 'RootFS')![1]),
      History: listOr(c.history)?.map((h) => {
        const e = objectOr(h) ?? {};
        return record({
          Created: stringOr(e.created) !== undefined ? new Scalar(T.time, e.created) : undefined,
          CreatedBy: stringOr(e.created_by), Author: stringOr(e.author), Comment: stringOr(e.comment), EmptyLayer: e.empty_layer === true,
        }, HISTORY);
      }),
    },
    IMAGE,
  );
}

/** docker images' CreatedAt: `time.Unix(created, 0).String()` (whole seconds, UTC here), a string; '' when unknown. */
function dockerCreatedAt(created: string | undefined | null): string {
  const ms = created ? Date.parse(created) : NaN;
  if (Number.isNaN(ms)) return '';
  const t = goTime(new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
  return t ? formatTime(t) : '';
}

/** `images`, one per image: docker images' fields (ID, CreatedSince and Size as the table shows them). */
export function imageData(i: StoreImage, id: string, createdSince: string, size: string): object {
  return record(
    { ID: id, Repository: i.repository, Tag: i.tag, Digest: i.digest, CreatedAt: dockerCreatedAt(i.created), CreatedSince: createdSince, Size: size, Name: i.name, MediaType: i.mediaType },
    'Image',
  );
}

/** `tags`: skopeo list-tags' fields. */
export function tagsData(repository: string, tags: string[]): object {
  return record({ Repository: repository, Tags: tags }, TAG_LIST);
}

/** skopeo list-tags' output struct (its JSON is `{"Repository": …, "Tags": […]}`). */
const TAG_LIST = structOf('tagListOutput', { Repository: T.string, Tags: STRINGS });

/** `mutate`, `append`, `flatten`, `rebase`: the image written. */
export function changeData(r: ChangeResult): object {
  return record({ Digest: r.digest, Destination: r.destination }, 'ChangeResult');
}

/** `search`, one per result: docker search's fields (Description as the table shows it). */
export function searchData(r: Awaited<ReturnType<typeof search>>[number], description: string): object {
  return record({ Name: r.name, Description: description, StarCount: r.stars, IsOfficial: r.official, IsAutomated: r.automated }, 'SearchResult');
}

/** A referrer: its descriptor's fields, the cosign tag it was found under, and its own referrers. */
const REFERRER = structOf('Referrer', { ...Object.fromEntries(DESCRIPTOR.fields!), Tag: T.string });
(REFERRER.fields as [string, GoType][]).push(['Referrers', sliceOf(REFERRER)]);

/** `referrers`: the subject and its referrers, each with its own. */
export function referrersData(r: ReferrersResult): object {
  const node = (n: ReferrerNode): object =>
    record({ ...(descriptorData(n.desc) as Json), Tag: n.tag ?? '', Referrers: n.referrers.map(node) }, REFERRER);
  return record({ Name: r.name, Subject: descriptorData(r.subject), Referrers: r.referrers.map(node) }, 'Referrers');
}

/** `catalog`: the registry and its repositories. */
export function catalogData(registry: string, repositories: string[]): object {
  return record({ Registry: registry, Repositories: repositories }, 'Catalog');
}

/** `size`: each image's figures and the total, as `--format json` has them, under Go-style names. */
export function sizeData(report: SizeReport): object {
  const counts = (c: { bytes: number; blobs: number; manifests: number }) => ({ Bytes: c.bytes, Blobs: c.blobs, Manifests: c.manifests });
  const figures = (f: SizeFigures) => ({ ...counts(f), Missing: f.missing ? record(counts(f.missing), 'Missing') : null });
  return record(
    {
      Images: report.images.map((i) => record({ Image: i.image, Digest: i.digest, ...figures(i) }, 'ImageSize')),
      Total: record(figures(report.total), 'SizeFigures'),
    },
    'SizeReport',
  );
}

/** `ratelimit`: the image, its registry and the limit as `--format json` has it, under Go-style names. */
export function rateLimitData(r: RateLimitResult): object {
  return record(Object.fromEntries(Object.entries(rateLimitView(r)).map(([k, v]) => [`${k[0]!.toUpperCase()}${k.slice(1)}`, v])), 'RateLimit');
}

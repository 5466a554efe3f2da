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
import { record } from '../template/template.js';

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

const platformData = (p: Platform | undefined) =>
  p ? record({ Architecture: p.architecture, OS: p.os, Variant: p.variant ?? '', OSVersion: (p as Json)['os.version'] ?? p.osVersion ?? '' }, 'Platform') : null;

/** An OCI descriptor under Go's field names (v1.Descriptor). */
export function descriptorData(d: DescriptorView | Descriptor): object {
  const view = d as DescriptorView;
  return record(
    {
      MediaType: d.mediaType,
      Digest: d.digest,
      Size: d.size,
      ArtifactType: view.artifactType ?? '',
      Annotations: view.annotations ?? {},
      Platform: platformData(view.platform),
    },
    'Descriptor',
  );
}

/**
 * `inspect`: skopeo inspect's fields, then regctl's (MediaType, ArtifactType, Annotations, Size, Config, Manifests).
 * Name is the repository of a registry image (skopeo's). For an index the image fields come from its `platformImage`
 * (the host's platform, as skopeo picks it) when read; Digest stays the index's. RepoTags is listed only when read.
 */
export function inspectData(r: InspectResult): object {
  const img = r.image ? r : r.platformImage;
  const config: Json = img?.config ?? {};
  const c: Json = config.config && typeof config.config === 'object' ? config.config : {};
  const layers = img?.image?.layers ?? [];
  return record(
    {
      Name: r.repository ?? r.name,
      Digest: r.digest,
      ...(r.repoTags ? { RepoTags: r.repoTags } : {}),
      Created: typeof config.created === 'string' ? config.created : null,
      DockerVersion: typeof config.docker_version === 'string' ? config.docker_version : '',
      Labels: c.Labels ?? {},
      Architecture: config.architecture ?? '',
      Variant: config.variant ?? '',
      Os: config.os ?? '',
      Layers: layers.map((l) => l.digest),
      LayersData: layers.map((l) => record({ MIMEType: l.mediaType, Digest: l.digest, Size: l.size, Annotations: l.annotations ?? null }, 'LayersData')),
      Env: c.Env ?? [],
      MediaType: r.mediaType,
      ArtifactType: r.artifactType ?? '',
      Annotations: r.annotations ?? {},
      Size: img?.image?.totalSize ?? null,
      Config: c,
      Manifests: (r.manifests ?? []).map(descriptorData),
    },
    'Inspect',
  );
}

/** An image config under Go's field names (v1.Image, as `skopeo inspect --config --format` sees it). */
export function configData(raw: Buffer): object {
  const c = parseJson(raw);
  const history: Json[] = Array.isArray(c.history) ? c.history : [];
  return record(
    {
      Created: c.created ?? null,
      Author: c.author ?? '',
      Architecture: c.architecture ?? '',
      Variant: c.variant ?? '',
      OS: c.os ?? '',
      OSVersion: c['os.version'] ?? '',
      Config: c.config ?? {},
      RootFS: record({ Type: c.rootfs?.type ?? '', DiffIDs: c.rootfs?.diff_ids ?? [] }, 'RootFS'),
      History: history.map((h) =>
        record({ Created: h.created ?? null, CreatedBy: h.created_by ?? '', Author: h.author ?? '', Comment: h.comment ?? '', EmptyLayer: h.empty_layer === true }, 'History'),
      ),
    },
    'Image',
  );
}

/** `images`, one per image: docker images' fields (ID, CreatedSince and Size as the table shows them). */
export function imageData(i: StoreImage, id: string, createdSince: string, size: string): object {
  return record(
    { ID: id, Repository: i.repository, Tag: i.tag, Digest: i.digest, CreatedAt: i.created ?? null, CreatedSince: createdSince, Size: size, Name: i.name, MediaType: i.mediaType },
    'Image',
  );
}

/** `tags`: skopeo list-tags' fields. */
export function tagsData(repository: string, tags: string[]): object {
  return record({ Repository: repository, Tags: tags }, 'TagList');
}

/** `mutate`, `append`, `flatten`, `rebase`: the image written. */
export function changeData(r: ChangeResult): object {
  return record({ Digest: r.digest, Destination: r.destination }, 'ChangeResult');
}

/** `search`, one per result: docker search's fields (Description as the table shows it). */
export function searchData(r: Awaited<ReturnType<typeof search>>[number], description: string): object {
  return record({ Name: r.name, Description: description, StarCount: r.stars, IsOfficial: r.official, IsAutomated: r.automated }, 'SearchResult');
}

/** `referrers`: the subject and its referrers, each with its own. */
export function referrersData(r: ReferrersResult): object {
  const node = (n: ReferrerNode): object =>
    record({ ...(descriptorData(n.desc) as Json), Tag: n.tag ?? '', Referrers: n.referrers.map(node) }, 'Referrer');
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

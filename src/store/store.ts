import { isAbsolute, join } from 'node:path';
import { NotFoundError, RegctlError } from '../errors.js';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import { parseManifest, type Descriptor } from '../oci/manifest.js';
import { familiarReference, parseReference } from '../ref/parse.js';
import { DEFAULT_TAG, type Reference } from '../ref/reference.js';
import { givenSelector, isDigestOnly, joinSelector, manifestReference } from '../ref/selector.js';
import { gcLayout } from './gc.js';
import { entryName, OciLayout } from './layout.js';
import { layoutDestination, layoutSource } from './layout-target.js';

/** `$REGCTL_STORE`, else `${XDG_DATA_HOME:-$HOME/.local/share}/regctl/store` (a relative XDG_DATA_HOME is ignored). */
export function storePath(env: Record<string, string | undefined>, homedir: string): string {
  if (env.REGCTL_STORE) return env.REGCTL_STORE;
  const data = env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : join(homedir, '.local', 'share');
  return join(data, 'regctl', 'store');
}

export interface StoreImage {
  /** Full normalized name: `docker.io/library/alpine:latest` (or `…@sha256:…` when pulled by digest). */
  name: string;
  /** Familiar repository, as docker shows it: `alpine`, `localhost:5000/app`. */
  repository: string;
  /** The tag, or `<none>` for an image stored by digest. */
  tag: string;
  digest: string;
  /** Docker's IMAGE ID: the config digest of an image; for an index, the index's digest (as docker's containerd store). */
  id: string;
  /** Config + layers of the image; for an index, the sum over its platform manifests present in the store. */
  size: number;
  /** `created` of the image config (the first platform present, for an index). */
  created?: string;
  mediaType: string;
}

/**
 * The local image store: an OCI layout whose entries are named by full normalized image names, with blobs
 * shared between images. Images are read and written through the Target interfaces, like any other place.
 */
export class ImageStore {
  readonly layout: OciLayout;

  private constructor(layout: OciLayout) {
    this.layout = layout;
  }

  /** Opens the store at `path`, creating it when absent: private (0700), since it holds private images. */
  static async open(path: string): Promise<ImageStore> {
    return new ImageStore(await OciLayout.open(path, { create: true, private: true }));
  }

  get path(): string {
    return this.layout.dir;
  }

  /** The image `ref` (any reference; a digest reference resolves among that repository's images). */
  source(ref: string): SourceTarget {
    const r = parseReference(ref);
    return {
      ...layoutSource(this.layout, storeName(r), () => `${r.familiar} (local store)`),
      resolve: () => this.resolveRef(r),
      head: () => this.resolveRef(r),
      at: (selector) => this.source(joinSelector(`${r.registry}/${r.repository}`, selector)),
    };
  }

  /**
   * Writes images into the store; each copy names its image by the tag it passes, which is the image's store name
   * ({@link nameOf}); an image copied with none is kept unnamed, by digest (listed as `<none>`).
   */
  destination(description = 'local store'): DestinationTarget {
    return layoutDestination(this.layout, description);
  }

  /** The name the store keeps `ref` under: `registry/repo:tag`, or `registry/repo@digest` for a digest reference. */
  nameOf(ref: string): string {
    return storeName(parseReference(ref));
  }

  /** Gives the image `source` another name `target`; no data is copied. Returns the image's descriptor. */
  async tag(source: string, target: string): Promise<Descriptor> {
    const desc = await this.resolveRef(parseReference(source));
    await this.layout.tag(storeName(parseReference(target)), desc);
    return desc;
  }

  /** Every image, in index order; unnamed ones (kept by digest) as repository and tag `<none>`. */
  async list(): Promise<StoreImage[]> {
    const out: StoreImage[] = [];
    for (const entry of await this.layout.list()) {
      const name = entryName(entry);
      if (name === undefined) {
        out.push({ name: entry.digest, repository: '<none>', tag: '<none>', digest: entry.digest, mediaType: entry.mediaType, ...(await this.describe(entry)) });
        continue;
      }
      if (!name.includes('/')) continue;
      let r: Reference;
      try {
        r = parseReference(name);
      } catch {
        continue; // not an image name (a foreign entry): not listed
      }
      const familiarRepo = familiarReference({ registry: r.registry, repository: r.repository });
      out.push({ name, repository: familiarRepo, tag: r.tag ?? '<none>', digest: entry.digest, mediaType: entry.mediaType, ...(await this.describe(entry)) });
    }
    return out;
  }

  /** The index entries, with their name annotations. */
  entries(): Promise<Descriptor[]> {
    return this.layout.list();
  }

  /** Docker's image ID of an entry: its image's config digest; an index (or an unreadable manifest) is its own ID. */
  async imageId(entry: Descriptor): Promise<string> {
    try {
      const m = parseManifest(await this.layout.readBlob(entry), entry.mediaType, entry.digest);
      return m.kind === 'image' ? m.config.digest : entry.digest;
    } catch (err) {
      return described(err, entry.digest);
    }
  }

  /** Untags `ref` (all names of that repository at that digest, for a digest reference), then removes the blobs
   * no remaining image needs. NotFoundError when nothing matched. */
  async remove(ref: string): Promise<{ untagged: string[]; deletedBytes: number }> {
    const r = parseReference(ref);
    const removed = isDigestOnly(r)
      ? await this.layout.removeEntries((e) => e.digest === r.digest && sameRepository(e, r))
      : await this.layout.untag(storeName(r));
    if (removed.length === 0) throw notFound(r);
    const gc = await gcLayout(this.layout);
    return { untagged: removed.map((e) => entryName(e) ?? e.digest), deletedBytes: gc.freedBytes };
  }

  private async resolveRef(r: Reference): Promise<Descriptor> {
    const entries = await this.layout.list();
    const found = r.digest !== undefined
      ? entries.find((e) => e.digest === r.digest && sameRepository(e, r))
      : entries.find((e) => entryName(e) === storeName(r));
    if (!found) throw notFound(r);
    return { mediaType: found.mediaType, digest: found.digest, size: found.size };
  }

  /** An entry's image ID (see imageId), size and creation time, from one read of its manifest. */
  private async describe(desc: Descriptor): Promise<{ id: string; size: number; created?: string }> {
    let m;
    try {
      m = parseManifest(await this.layout.readBlob(desc), desc.mediaType, desc.digest);
    } catch (err) {
      return described(err, { id: desc.digest, size: 0 });
    }
    if (m.kind === 'image') {
      const size = m.config.size + m.layers.reduce((sum, l) => sum + l.size, 0);
      const created = await this.created(m.config);
      return created === undefined ? { id: m.config.digest, size } : { id: m.config.digest, size, created };
    }
    let size = 0;
    let created: string | undefined;
    for (const child of m.manifests) {
      if (!(await this.layout.hasBlob(child))) continue;
      const info = await this.describe(child);
      size += info.size;
      created ??= info.created;
    }
    return created === undefined ? { id: desc.digest, size } : { id: desc.digest, size, created };
  }

  private async created(config: Descriptor): Promise<string | undefined> {
    let bytes: Buffer;
    try {
      bytes = await this.layout.readBlob(config);
    } catch (err) {
      return described(err, undefined);
    }
    try {
      const doc = JSON.parse(bytes.toString('utf8')) as { created?: unknown };
      return typeof doc.created === 'string' ? doc.created : undefined;
    } catch {
      return undefined; // a config that is not JSON has no creation time
    }
  }
}

/**
 * What an image listing shows for a manifest or config the store lacks or holds corrupt (a typed error: missing,
 * wrong size, not a manifest): `fallback`. A file the store cannot read (EACCES, EIO) is an error, not a size of 0.
 */
function described<T>(err: unknown, fallback: T): T {
  if (!(err instanceof RegctlError)) throw err;
  return fallback;
}

/** The index key of a reference: `registry/repo:tag` when it has a tag, else `registry/repo@digest`. */
export function storeName(r: Reference): string {
  return joinSelector(`${r.registry}/${r.repository}`, r.tag ?? manifestReference(r));
}

function sameRepository(entry: Descriptor, r: Reference): boolean {
  const name = entryName(entry);
  if (!name?.includes('/')) return false;
  try {
    const e = parseReference(name);
    return e.registry === r.registry && e.repository === r.repository;
  } catch {
    return false;
  }
}

function notFound(r: Reference): NotFoundError {
  const shown = givenSelector(r) === undefined ? familiarReference({ ...r, tag: DEFAULT_TAG }) : r.familiar;
  return new NotFoundError(`image ${shown} not found in the local store`, {
    code: 'ERR_IMAGE_NOT_FOUND',
    hint: `pull ${shown} into the local store first`,
  });
}

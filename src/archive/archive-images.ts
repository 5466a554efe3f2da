import { readFile } from 'node:fs/promises';
import { IntegrityError, UsageError } from '../errors.js';
import { parseManifest, type Descriptor } from '../oci/manifest.js';
import { isIndexMediaType } from '../oci/media-types.js';
import { parseReference } from '../ref/parse.js';
import type { ArchiveTree } from './archive-tree.js';
import { MAX_METADATA_BYTES } from '../util/limits.js';
import type { ArchiveBlobs } from './blob-store.js';
import { dockerEntries, synthesizeManifest } from './docker-manifest.js';
import { verifyImage, walk } from './image-check.js';
import { entryRefName, fullNameCandidates, stripNames } from '../oci/layout-format.js';

/** An image found in an archive: its normalized name (when it has one) and the manifest or index it is. */
export interface FoundImage {
  name?: string;
  /** The index.json entry's `org.opencontainers.image.ref.name`, verbatim (what `oci-archive:FILE:REF` matches). */
  refName?: string;
  top: Descriptor;
  complete: boolean;
}

/**
 * The images of an extracted archive, every one verified (blobs present, layers matching the config's
 * diff_ids). index.json entries come first (their manifests keep their bytes and digests); docker manifest.json
 * entries reuse a manifest of the archive with the same config and layers when there is one, else (legacy saves)
 * get a synthesized Docker schema 2 manifest. A name appears once; an index whose children are partly missing
 * gives way to a manifest.json entry of the same name.
 */
export async function findImages(tree: ArchiveTree, blobs: ArchiveBlobs, description: string): Promise<FoundImage[]> {
  const indexText = await readText(tree, 'index.json');
  const manifestText = await readText(tree, 'manifest.json');
  if (indexText === undefined && manifestText === undefined) {
    throw new UsageError(`${description} is not an image archive: it holds neither manifest.json nor index.json`);
  }
  const found: FoundImage[] = indexText === undefined ? [] : await ociImages(indexText, blobs);
  const reachable = (await Promise.all(found.map((f) => walk(f.top, blobs)))).flatMap((w) => w.images);
  for (const entry of manifestText === undefined ? [] : dockerEntries(tree, manifestText)) {
    const match = reachable.find((r) => r.manifest.config.digest === entry.config.digest && r.manifest.layers.every((l) => blobs.has(l.digest)));
    const top = match?.desc ?? synthesizeManifest(entry, blobs);
    if (entry.repoTags.length === 0 && !match) found.push({ top, complete: true });
    for (const tag of entry.repoTags) found.push({ name: repoTagName(tag), top, complete: true });
  }

  const result: FoundImage[] = [];
  for (const f of found) {
    if (f.name !== undefined) {
      const i = result.findIndex((r) => r.name === f.name);
      if (i < 0) result.push(f);
      else if (!result[i]!.complete && f.complete) result[i] = f;
    } else if (!found.some((o) => o.top.digest === f.top.digest && (o.name !== undefined || result.includes(o)))) {
      result.push(f);
    }
  }
  const checked = new Set<string>();
  for (const f of result) {
    for (const { desc, manifest } of (await walk(f.top, blobs)).images) {
      if (checked.has(desc.digest)) continue;
      checked.add(desc.digest);
      await verifyImage(desc, manifest, blobs, `${description}${f.name ? ` (${f.name})` : ''}`);
    }
    if (!blobs.has(f.top.digest)) {
      throw new IntegrityError(`archive is incomplete: index.json names ${f.top.digest}, which is not in the archive`, { code: 'ERR_ARCHIVE_CORRUPT' });
    }
  }
  return result;
}

async function ociImages(text: string, blobs: ArchiveBlobs): Promise<FoundImage[]> {
  const index = parse(Buffer.from(text), 'index.json');
  if (index.kind !== 'index') throw new IntegrityError('archive is corrupt: index.json is not an image index', { code: 'ERR_ARCHIVE_CORRUPT' });
  const out: FoundImage[] = [];
  for (const top of index.manifests) {
    const name = annotationName(top.annotations);
    if (name === undefined && isIndexMediaType(top.mediaType) && blobs.has(top.digest)) {
      // A nested index (one entry naming an index of named images): its children are the images.
      const nested = parse(await blobs.read(top.digest, 'index'), top.digest);
      const named = nested.kind === 'index' ? nested.manifests.filter((c) => annotationName(c.annotations) !== undefined) : [];
      if (named.length > 0) {
        for (const child of named) out.push({ name: annotationName(child.annotations)!, top: child, complete: kept(await walk(child, blobs)) });
        continue;
      }
    }
    const refName = entryRefName(top);
    out.push({ ...(name === undefined ? {} : { name }), ...(refName === undefined ? {} : { refName }), top: strip(top), complete: kept(await walk(top, blobs)) });
  }
  return out;
}

/**
 * Whether an index entry is kept over a manifest.json entry of the same name: when whole, or when it holds several
 * platforms' images (a save of some platforms, as containerd writes it). An index holding one platform only (docker
 * 25's saves) gives way to docker's single-platform image, which can then be pushed anywhere.
 */
function kept(w: { complete: boolean; images: unknown[] }): boolean {
  return w.complete || w.images.length >= 2;
}

/** A RepoTag of manifest.json as a full name: one that is not a reference makes the archive corrupt (exit 6). */
function repoTagName(tag: string): string {
  try {
    return parseReference(tag).name;
  } catch (err) {
    throw new IntegrityError(`archive is corrupt: manifest.json names an invalid RepoTag ${JSON.stringify(tag.length > 80 ? `${tag.slice(0, 77)}...` : tag)}`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
  }
}

/** containerd's full name, else OCI's ref.name when it is a whole reference (not just a tag). */
function annotationName(a: Record<string, string> | undefined): string | undefined {
  for (const n of fullNameCandidates({ ...(a ? { annotations: a } : {}) })) {
    try {
      return parseReference(n).name;
    } catch {
      // not a reference: no name
    }
  }
  return undefined;
}

/** The descriptor as the image's top: without the archive's annotations (they describe the entry, not the content). */
function strip(d: Descriptor): Descriptor {
  const { annotations: _, ...out } = stripNames(d);
  return out;
}

function parse(bytes: Buffer, what: string) {
  try {
    return parseManifest(bytes, '', what);
  } catch (err) {
    throw new IntegrityError(`archive is corrupt: ${(err as Error).message}`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
  }
}

async function readText(tree: ArchiveTree, path: string): Promise<string | undefined> {
  const file = tree.file(path);
  if (!file) return undefined;
  if (file.size > MAX_METADATA_BYTES) throw new IntegrityError(`archive is corrupt: ${path} is too large`, { code: 'ERR_ARCHIVE_CORRUPT' });
  return (await readFile(file.file)).toString('utf8');
}

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { SourceTarget } from '../content/target.js';
import { NotFoundError, UsageError } from '../errors.js';
import { parseReference } from '../ref/parse.js';
import { findImages } from './archive-images.js';
import { ArchiveSource } from './archive-source.js';
import { ArchiveBlobs } from './blob-store.js';
import { extractArchive, type ArchiveLimits } from './extract.js';

export type ArchiveInput = { path: string } | { stream: Readable };

export interface ArchiveImage {
  /** Normalized full name (`docker.io/library/alpine:latest`) from RepoTags or index.json's annotations. */
  name?: string;
  /** index.json's `org.opencontainers.image.ref.name` of the entry, verbatim. */
  refName?: string;
  source: SourceTarget;
}

export interface OpenedArchive {
  readonly description: string;
  readonly images: ArchiveImage[];
  /** The image called `name` (any reference form), or the only image when no name is given. */
  find(name?: string): ArchiveImage;
  /** Removes the extracted files. */
  close(): Promise<void>;
}

interface OpenOptions {
  limits?: ArchiveLimits;
  /** For messages: the archive's location (default `docker-archive:PATH`). */
  name?: string;
  /** Stops the reading: the files extracted so far are removed and it fails with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/**
 * Opens an image tarball: regctl's and docker 25's hybrid layout, docker's legacy save (`<id>/layer.tar`,
 * symlinked repeats), OCI archives with only index.json, each optionally gzip-compressed. The tar is extracted
 * into a private directory under `tmpDir` and checked whole before anything is returned: hostile or corrupt
 * input, a blob whose content doesn't match its name, or a layer that doesn't match the config's diff_ids fail
 * with IntegrityError (exit 6), so a caller that imports only after this returns imports nothing from a bad archive.
 */
export async function openArchive(input: ArchiveInput, tmpDir: string, opts: OpenOptions = {}): Promise<OpenedArchive> {
  const { limits = {}, name, signal } = opts;
  const description = name ?? ('path' in input ? `docker-archive:${input.path}` : 'docker-archive:-');
  let stream: Readable | undefined;
  if ('path' in input) {
    const st = await stat(input.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new NotFoundError(`archive ${input.path} does not exist`, { code: 'ERR_ARCHIVE_NOT_FOUND' });
      throw err;
    });
    if (!st.isFile()) throw new UsageError(`archive ${input.path} is not a file`);
  } else {
    stream = input.stream;
  }
  const dir = await mkdtemp(join(tmpDir, 'regctl-archive-'));
  try {
    const tree = await extractArchive(stream ?? { path: (input as { path: string }).path }, dir, limits, signal);
    const blobs = new ArchiveBlobs(tree);
    const found = await findImages(tree, blobs, description);
    const images = found.map((f) => ({
      ...(f.name === undefined ? {} : { name: f.name }),
      ...(f.refName === undefined ? {} : { refName: f.refName }),
      source: new ArchiveSource(`${description}${f.name ? `:${f.name}` : `@${f.top.digest}`}`, f.top, blobs),
    }));
    return {
      description,
      images,
      find: (name) => pick(images, description, name),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    stream?.destroy();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function pick(images: ArchiveImage[], description: string, name?: string): ArchiveImage {
  const names = images.map((i) => i.name ?? '(unnamed)').join(', ');
  if (name !== undefined) {
    const want = parseReference(name).name;
    const hit = images.find((i) => i.name === want);
    if (!hit) throw new NotFoundError(`${want} is not in ${description}`, { code: 'ERR_IMAGE_NOT_FOUND', hint: `it holds: ${names || 'no images'}` });
    return hit;
  }
  if (images.length === 1) return images[0]!;
  if (images.length === 0) throw new NotFoundError(`${description} holds no images`, { code: 'ERR_IMAGE_NOT_FOUND' });
  throw new UsageError(`${description} holds ${images.length} images: name the one to use`, { hint: `it holds: ${names}` });
}

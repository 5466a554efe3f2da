import { rm } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { openArchive } from '../archive/reader.js';
import { archiveLimits } from '../archive/extract.js';
import { ArchiveWriter } from '../archive/writer.js';
import { copyImage } from '../content/copy.js';
import { CopySession, DEFAULT_JOBS } from '../content/session.js';
import { writeTo, type SourceTarget } from '../content/target.js';
import { NotFoundError } from '../errors.js';
import type { Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import type { ImageStore } from '../store/store.js';
import type { OpsContext } from './context.js';
import { openStore, type TransferOptions } from './local.js';
import { registrySource } from './registry-target.js';
import { scratchDir } from './scratch.js';

export interface SaveOptions extends TransferOptions {
  /** The platform picked out of multi-platform images (default: the host's, like docker). */
  platform?: Platform;
}

/**
 * Writes several images into one tarball that `docker load`, podman and skopeo read: an OCI layout plus docker's
 * manifest.json and repositories, with the registry's compressed layers so digests survive. Images not in the
 * local store are fetched from their registry. The file appears only when complete.
 */
export async function save(ctx: OpsContext, images: string[], out: { path: string } | { stream: Writable }, opts: SaveOptions = {}): Promise<string[]> {
  const store = await openStore(ctx);
  const platform = opts.platform ?? ctx.platform;
  const session = new CopySession(opts.jobs ?? DEFAULT_JOBS);
  return writeTo(new ArchiveWriter(out, { platform }), async (writer) => {
    const names: string[] = [];
    for (const image of images) {
      const ref = parseReference(image);
      const source = await localOrRemote(ctx, store, ref.name);
      await copyImage(source, writer, {
        ...opts,
        platform,
        strictPlatform: opts.platform !== undefined,
        session,
        tag: ref.name,
      });
      names.push(ref.name);
    }
    return names;
  });
}

async function localOrRemote(ctx: OpsContext, store: ImageStore, name: string): Promise<SourceTarget> {
  const local = store.source(name);
  try {
    await local.resolve();
    return local;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    return registrySource(ctx, parseReference(name));
  }
}

export interface LoadResult {
  /** Names loaded into the store. */
  names: string[];
  /** Digests of images the archive does not name (kept only until the next rmi cleans up). */
  unnamed: string[];
}

/**
 * Reads a tarball (regctl's, docker's legacy or 25+ save, an OCI archive; plain or gzip) into the local store. The
 * archive is checked whole first (paths, links, sizes, digests, diff_ids): a bad one imports nothing (exit 6).
 */
export async function load(ctx: OpsContext, input: { path: string } | { stream: Readable }, opts: TransferOptions = {}): Promise<LoadResult> {
  const store = await openStore(ctx);
  const tmp = await scratchDir(ctx);
  try {
    const archive = await openArchive(input, tmp, archiveLimits(ctx.env));
    try {
      const result: LoadResult = { names: [], unnamed: [] };
      for (const image of archive.images) {
        if (!image.name) {
          result.unnamed.push((await image.source.resolve()).digest);
          continue;
        }
        await writeTo(store.destination(image.name), (dst) => copyImage(image.source, dst, { ...opts, tag: 'loaded' }));
        result.names.push(image.name);
      }
      return result;
    } finally {
      await archive.close();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

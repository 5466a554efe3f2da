import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { resolveImage } from '../content/resolve.js';
import type { SourceTarget } from '../content/target.js';
import { NotFoundError, RegctlError, UsageError } from '../errors.js';
import { checkLayer, eachLayerEntry, layerEntries } from '../image/layer-entries.js';
import { LayerListing, MAX_SYMLINKS, resolvePath, type Resolved } from '../image/layer-fs.js';
import { cleanPath } from '../image/overlay.js';
import type { Descriptor } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import { sideContext, type WithCredentials } from './credentials.js';
import { locationRegistries, parseLocation } from './transports/index.js';

export interface GetFileOptions extends WithCredentials {
  /** In an index, this platform's image (default: the host's); a single image must be of it when given. */
  platform?: Platform;
}

/** A file out of an image's filesystem. */
export interface FileRead {
  /** The path asked for, from the image's root (`/etc/os-release`). */
  path: string;
  /** Where its content is, symbolic links followed (`/usr/lib/os-release`). */
  resolved: string;
  /** Its size in bytes and permission bits, as the layer's tar gives them. */
  size: number;
  mode: number;
  /** The layer that holds it (the highest that decides the path). */
  layer: Descriptor;
  /** The content; the layer it comes from is checked against its digest as it is read (IntegrityError at the end otherwise). */
  stream: Readable;
}

/**
 * One file of the filesystem an image's layers make (regclient `image get-file`): layers are read from the top, each
 * streamed (nothing held but the names of its entries) and only until the path is decided — whiteouts and opaque
 * directories hide what lies below, symbolic links are followed inside the image root. The layer holding the file is
 * then streamed again for its content (a file of up to 1 MiB met under the very path asked for is kept from the
 * first read instead). NotFoundError (`ERR_FILE_NOT_FOUND`) when the image has no such file;
 * UsageError for a directory or a device. Any location.
 */
export async function getFile(ctx: OpsContext, image: string, path: string, opts: GetFileOptions = {}): Promise<FileRead> {
  if (typeof path !== 'string' || cleanPath(path) === '') throw new UsageError(`give the path of a file inside the image, not "${path}"`);
  const side = await sideContext(ctx, locationRegistries(image), opts.credentials);
  const opened = await parseLocation(image).openSource(side);
  const signal = ctx.transport.signal;
  try {
    const src = opened.target;
    const { doc } = await resolveImage(src, { platform: opts.platform ?? ctx.platform, strict: opts.platform !== undefined });
    if (doc.kind !== 'image') throw new UsageError(`${src.description} is an index of indexes; name one of its images`);
    const layers = [...doc.layers].reverse(); // the top first
    const { found, kept } = await findFile(src, layers, path, signal);
    const layer = layers[found.layer]!;
    const result = { path: `/${cleanPath(path)}`, resolved: `/${found.name}`, size: found.entry.size, mode: found.entry.mode, layer };
    if (kept) {
      await opened.close();
      return { ...result, stream: Readable.from([kept]) };
    }
    // the download starts now, within the call; the caller reads it when it likes
    const fetched = (await src.fetchBlob(layer)).stream;
    const stream = Readable.from(fileBody(src, layer, found.entry.ordinal, signal, fetched));
    void finished(stream).catch(() => undefined).finally(() => {
      fetched.destroy(); // a reader that never started still lets the download go
      void opened.close();
    });
    return { ...result, stream };
  } catch (err) {
    await opened.close();
    throw err;
  }
}

/** A file up to this size met under the very path asked for is kept while its layer is listed: no second read of the layer. */
const KEEP_BYTES = 1024 * 1024;

type Found = Extract<Resolved, { state: 'file' }>;

/**
 * Reads layers from the top, listing their entries, until the path resolves; throws when it names no regular file.
 * `kept`: the file's bytes, when they were met (and checked with their layer) while listing.
 */
async function findFile(src: SourceTarget, layers: Descriptor[], path: string, signal: AbortSignal | undefined): Promise<{ found: Found; kept?: Buffer }> {
  const literal = cleanPath(path);
  const kept = new Map<string, Buffer>();
  const listings: LayerListing[] = [];
  let r: Resolved = { state: 'undecided' };
  while (r.state === 'undecided') {
    if (listings.length < layers.length) {
      const n = listings.length;
      const desc = layers[n]!;
      checkLayer(desc, src.description);
      listings.push(await listLayer(src, desc, signal, literal, (ordinal, bytes) => kept.set(`${n}:${ordinal}`, bytes)));
    }
    r = resolvePath(listings, listings.length === layers.length, path);
  }
  const shown = `/${literal}`;
  switch (r.state) {
    case 'file': {
      const bytes = kept.get(`${r.layer}:${r.entry.ordinal}`);
      return { found: r, ...(bytes ? { kept: bytes } : {}) };
    }
    case 'absent':
      throw new NotFoundError(`${shown}: no such file in ${src.description}${`/${r.name}` === shown ? '' : ` (/${r.name} is missing or not a directory)`}`, { code: 'ERR_FILE_NOT_FOUND' });
    case 'dir':
      throw new UsageError(`${shown} is a directory in ${src.description}, not a file`);
    case 'other':
      throw new UsageError(`${shown} is not a regular file in ${src.description} (a device or a fifo)`);
    case 'loop':
      throw new NotFoundError(`${shown}: more than ${MAX_SYMLINKS} symbolic links to follow in ${src.description} (a loop at /${r.name}?)`, { code: 'ERR_FILE_NOT_FOUND' });
  }
}

/** The names, kinds and links of a layer's entries; the bytes of a small regular file named `literal` go to `keep`. */
async function listLayer(src: SourceTarget, desc: Descriptor, signal: AbortSignal | undefined, literal: string, keep: (ordinal: number, bytes: Buffer) => void): Promise<LayerListing> {
  const listing = new LayerListing();
  await eachLayerEntry(src, desc, signal, async (h, ordinal, body) => {
    listing.add(h.name, h.type, ordinal, h.size ?? 0, h.mode ?? 0, h.linkname ?? undefined);
    if ((h.type === 'file' || h.type === 'contiguous-file') && (h.size ?? 0) <= KEEP_BYTES && cleanPath(h.name) === literal) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk);
      keep(ordinal, Buffer.concat(chunks));
    }
  });
  return listing;
}
/** The body of the layer's entry at `ordinal`; the rest of the layer is read too, so that its digest is checked before the end. */
async function* fileBody(src: SourceTarget, desc: Descriptor, ordinal: number, signal: AbortSignal | undefined, fetched: Readable): AsyncGenerator<Buffer> {
  for await (const entry of layerEntries(src, desc, signal, fetched)) {
    if (entry.ordinal === ordinal) yield* entry.body;
  }
}

// A layer read as its tar's entries, streamed from its source (gzip, zstd or plain, told apart by their first bytes)
// and checked against its digest as it flows: nothing but the entry being read is held in memory.
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { corruptArchive, openTarStream } from '../archive/decompress.js';
import type { SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import { RegctlError, UsageError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { baseMediaType } from '../oci/media-types.js';
import { abortable, stopped } from '../util/abort.js';

export type { Header } from 'tar-stream';

/** Called with each entry in order; a body not read to its end is skipped. */
export type OnLayerEntry = (header: Header, ordinal: number, body: AsyncIterable<Buffer>) => Promise<void> | void;

/** Is this the media type of a filesystem layer (tar, gzip or zstd, OCI's or Docker's)? */
export function isLayerMediaType(mediaType: string): boolean {
  const type = baseMediaType(mediaType);
  return /^application\/vnd\.oci\.image\.layer\.(nondistributable\.)?v1\.tar(\+gzip|\+zstd)?$/.test(type)
    || /^application\/vnd\.docker\.image\.rootfs\.(foreign\.)?diff\.tar(\.gzip)?$/.test(type);
}

/** UsageError unless `desc` is a filesystem layer (an artifact's blob is not). */
export function checkLayer(desc: Descriptor, what: string): void {
  if (!isLayerMediaType(desc.mediaType)) {
    throw new UsageError(`${what}: layer ${desc.digest} is not a filesystem layer (${desc.mediaType || 'no media type'})`, {
      hint: 'an artifact\'s files come out with regctl blob get',
    });
  }
}

/** One entry of a layer's tar: its header, its position among the entries (0-based), its body (skipped unless read). */
export interface LayerEntryRead {
  header: Header;
  ordinal: number;
  body: AsyncIterable<Buffer>;
}

/**
 * A layer of `src` entry by entry, verified against its digest as it streams: a corrupt or truncated layer, or one
 * whose digest differs, fails with IntegrityError (at the end, for the digest); when `signal` aborts, reading stops
 * with the signal's reason. Leaving the loop early releases the download. `fetched`: the blob's stream when the
 * caller already asked for it.
 */
export async function* layerEntries(src: SourceTarget, desc: Descriptor, signal: AbortSignal | undefined, fetched?: Readable): AsyncGenerator<LayerEntryRead> {
  const stream = fetched ?? (await src.fetchBlob(desc)).stream;
  const checked = verified(stream, desc, `${src.description}: layer ${desc.digest}`);
  const ex = extract();
  let tar: Readable | undefined;
  try {
    tar = await openTarStream(abortable(checked, signal));
    tar.on('error', (err) => ex.destroy(err));
    tar.pipe(ex as unknown as NodeJS.WritableStream);
    let ordinal = 0;
    for await (const entry of ex) {
      const body = entry as unknown as Readable;
      yield { header: entry.header, ordinal: ordinal++, body };
      body.resume();
    }
  } catch (err) {
    // a download's own failure (not found, network) stays what it is; what the tar reader met is corruption
    throw stopped(err instanceof RegctlError ? err : corruptArchive(err), signal);
  } finally {
    tar?.destroy();
    checked.destroy();
  }
}

/** Calls `onEntry` with each entry of a layer in order (see layerEntries). */
export async function eachLayerEntry(src: SourceTarget, desc: Descriptor, signal: AbortSignal | undefined, onEntry: OnLayerEntry): Promise<void> {
  for await (const { header, ordinal, body } of layerEntries(src, desc, signal)) await onEntry(header, ordinal, body);
}

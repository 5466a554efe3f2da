import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Pack } from 'tar-stream';
import { corruptArchive, openTarStream } from '../archive/decompress.js';
import type { SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import type { Descriptor } from '../oci/manifest.js';
import { abortable, stopped } from '../util/abort.js';
import { addEntry, portableHeader, type Header } from './layer-input.js';
import { cleanPath, Overlay } from './overlay.js';

interface Winner {
  layer: number;
  ordinal: number;
  type: string;
}

/**
 * The filesystem an image's layers make, as one tar stream (crane export): each path from the highest layer that
 * has it, whiteouts (`.wh.NAME`) and opaque directories (`.wh..wh..opq`) hiding what lies below them, a file that
 * replaces a directory hiding its contents, no whiteout entries left. Hard links are kept (written after the files
 * they name). Layers are downloaded (verified) into temp files in `dir`, read once top-down to decide which entry
 * wins each path, then once bottom-up to write the winners: nothing but paths is held in memory. When `signal`
 * aborts, the file being read is destroyed with its reason, and so is the returned stream.
 */
export async function mergeLayers(src: SourceTarget, layers: Descriptor[], dir: string, signal?: AbortSignal): Promise<Readable> {
  const files: string[] = [];
  for (const layer of layers) {
    const path = join(dir, `merge-${randomBytes(8).toString('hex')}`);
    signal?.throwIfAborted();
    const { stream } = await src.fetchBlob(layer);
    try {
      await pipeline(abortable(verified(stream, layer, `${src.description}: layer ${layer.digest}`), signal), createWriteStream(path));
    } catch (err) {
      throw stopped(err, signal);
    }
    files.push(path);
  }
  const overlay = new Overlay<Winner>((w) => w.type === 'directory');
  for (let i = files.length - 1; i >= 0; i--) {
    await readEntries(files[i]!, signal, async (header, name, ordinal) => overlay.entry(name, { layer: i, ordinal, type: header.type ?? 'file' }));
    overlay.endLayer();
  }
  const winners = overlay.paths;
  const out = pack();
  writeWinners(files, winners, out, signal).then(() => out.finalize(), (err: unknown) => out.destroy(err as Error));
  return out as unknown as Readable;
}

async function writeWinners(files: string[], winners: Map<string, Winner>, out: Pack, signal: AbortSignal | undefined): Promise<void> {
  const links: Header[] = [];
  for (let i = 0; i < files.length; i++) {
    await readEntries(files[i]!, signal, async (header, name, ordinal, body) => {
      const w = winners.get(name);
      if (w?.layer !== i || w.ordinal !== ordinal) return;
      const h = { ...portableHeader(header), name: header.type === 'directory' ? `${name}/` : name };
      if (header.type === 'link') {
        const target = cleanPath(header.linkname ?? '');
        if (target && winners.has(target)) links.push({ ...h, linkname: target });
        return;
      }
      await addEntry(out, h, header.type === 'file' || header.type === 'contiguous-file' ? body : undefined);
    });
  }
  for (const link of links) await addEntry(out, link);
}

type OnEntry = (header: Header, name: string, ordinal: number, body: Readable) => Promise<void>;

/** Calls `onEntry` for each entry of a layer file (gzip, zstd or plain) with a usable path; bodies not read are drained. */
async function readEntries(path: string, signal: AbortSignal | undefined, onEntry: OnEntry): Promise<void> {
  const ex = extract();
  try {
    const tar = await openTarStream(abortable(createReadStream(path), signal));
    tar.on('error', (err) => ex.destroy(err));
    tar.pipe(ex as unknown as NodeJS.WritableStream);
    let ordinal = 0;
    for await (const entry of ex) {
      const body = entry as unknown as Readable;
      const name = cleanPath(entry.header.name);
      if (name) await onEntry(entry.header, name, ordinal++, body);
      body.resume();
    }
  } catch (err) {
    throw stopped(corruptArchive(err), signal);
  }
}

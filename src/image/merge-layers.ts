import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Pack } from 'tar-stream';
import { corruptArchive, openTarStream } from '../archive/decompress.js';
import type { SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import type { Descriptor } from '../oci/manifest.js';
import { abortable, stopped } from '../util/abort.js';
import { addEntry, portableHeader, type Header } from './layer-input.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

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
  const winners = new Map<string, Winner>();
  const whiteouts = new Set<string>();
  const opaque = new Set<string>();
  // Directories a higher layer has something in: there the path is a directory, whatever a lower layer made of it
  // (a symlink `d -> /tmp/x` below `d/file` must not be written: an extracting tool would follow it out of its target).
  const directories = new Set<string>();
  for (let i = files.length - 1; i >= 0; i--) {
    const mine = new Map<string, Winner>();
    const myWhiteouts: string[] = [];
    const myOpaque: string[] = [];
    const myParents = new Set<string>();
    await readEntries(files[i]!, signal, async (header, name, ordinal) => {
      const base = posix.basename(name);
      for (let parent = posix.dirname(name); parent !== '.' && !myParents.has(parent); parent = posix.dirname(parent)) myParents.add(parent);
      if (base === OPAQUE) myOpaque.push(posix.dirname(name));
      else if (base.startsWith(WHITEOUT)) myWhiteouts.push(posix.join(posix.dirname(name), base.slice(WHITEOUT.length)));
      else mine.set(name, { layer: i, ordinal, type: header.type ?? 'file' });
    });
    for (const [name, w] of mine) {
      if (winners.has(name) || hidden(name, winners, whiteouts, opaque)) continue;
      if (w.type !== 'directory' && (directories.has(name) || myParents.has(name))) continue;
      winners.set(name, w);
    }
    for (const w of myWhiteouts) whiteouts.add(w);
    for (const o of myOpaque) opaque.add(o);
    for (const d of myParents) directories.add(d);
  }
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
        const target = clean(header.linkname ?? '');
        if (target && winners.has(target)) links.push({ ...h, linkname: target });
        return;
      }
      await addEntry(out, h, header.type === 'file' || header.type === 'contiguous-file' ? body : undefined);
    });
  }
  for (const link of links) await addEntry(out, link);
}

/** Is `name` hidden by what higher layers hold: a whiteout of it or of a parent, an opaque parent, a parent that is no directory? */
function hidden(name: string, winners: Map<string, Winner>, whiteouts: Set<string>, opaque: Set<string>): boolean {
  if (whiteouts.has(name)) return true;
  for (let parent = posix.dirname(name); parent !== '.'; parent = posix.dirname(parent)) {
    if (whiteouts.has(parent) || opaque.has(parent)) return true;
    const w = winners.get(parent);
    if (w && w.type !== 'directory') return true;
  }
  return opaque.has('.');
}

/** A tar path as the merged tree names it: relative, normalized, no trailing slash, `..` stopping at the root; '' for the root. */
function clean(name: string): string {
  return posix.normalize(`/${name}`).slice(1).replace(/\/+$/, '');
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
      const name = clean(entry.header.name);
      if (name) await onEntry(entry.header, name, ordinal++, body);
      body.resume();
    }
  } catch (err) {
    throw stopped(corruptArchive(err), signal);
  }
}

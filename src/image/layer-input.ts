import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Header as FullHeader, type Pack } from 'tar-stream';
import { corruptArchive, openTarStream } from '../archive/decompress.js';
import { NotFoundError, UsageError } from '../errors.js';
import { abortable, stopped } from '../util/abort.js';

/** A tar entry's header as written: a name and whatever else is known. */
export type Header = Partial<FullHeader> & { name: string };

/** What a new layer is made of: a tar file (plain, gzip or zstd) or a directory placed at `dest` (default `/`). */
export type LayerInput = { tar: string } | { dir: string; dest?: string };

/** How entries are written into a new layer. */
export interface EntryOptions {
  /** Owner of every entry (directories default to 0:0; a tar's own owners are kept unless given). */
  uid?: number;
  gid?: number;
  /** mtimes later than this are set to it (reproducible builds: SOURCE_DATE_EPOCH, or 0). */
  clampMtime?: Date;
}

/**
 * The tar stream of a new layer: the input's entries with owners and times as asked, a directory's in sorted order.
 * When `signal` aborts, the file being read is destroyed, no entry follows, and the stream fails with its reason.
 */
export function layerTar(input: LayerInput, opts: EntryOptions, signal?: AbortSignal): Readable {
  const out = pack();
  const fill = 'tar' in input ? repackTar(input.tar, out, opts, signal) : packDir(input.dir, input.dest ?? '/', out, opts, signal);
  fill.then(() => out.finalize(), (err: unknown) => out.destroy(err as Error));
  return out as unknown as Readable;
}

/** Writes one entry, its body streamed from `body` when it has one. */
export async function addEntry(out: Pack, header: Header, body?: Readable): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sink = out.entry(header, (err) => (err ? reject(err) : resolve())) as unknown as NodeJS.WritableStream;
    sink.on('error', () => undefined); // reported through the entry callback (a torn-down pack fails every entry)
    if (body) pipeline(body, sink).catch(reject);
    else sink.end();
  });
}

/** A header read from a tar, ready to be written again: pax records that restate the path, link or size dropped
 * (the writer encodes those from the header's own fields). */
export function portableHeader(header: Header): Header {
  const h: Header = { ...header };
  if (h.pax) h.pax = Object.fromEntries(Object.entries(h.pax as Record<string, string>).filter(([k]) => !['path', 'linkpath', 'size'].includes(k)));
  return h;
}

function adjust(header: Header, opts: EntryOptions, defaults: { uid?: number; gid?: number } = {}): Header {
  const h = portableHeader(header);
  const uid = opts.uid ?? defaults.uid;
  const gid = opts.gid ?? defaults.gid;
  if (uid !== undefined) Object.assign(h, { uid, uname: '' });
  if (gid !== undefined) Object.assign(h, { gid, gname: '' });
  if (opts.clampMtime) {
    if (!h.mtime || h.mtime > opts.clampMtime) h.mtime = opts.clampMtime;
    if (h.pax) h.pax = Object.fromEntries(Object.entries(h.pax as Record<string, string>).filter(([k]) => !['mtime', 'atime', 'ctime'].includes(k)));
  }
  return h;
}

async function repackTar(path: string, out: Pack, opts: EntryOptions, signal: AbortSignal | undefined): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isFile()) throw new NotFoundError(`${path}: no such file`, { code: 'ERR_FILE_NOT_FOUND' });
  const ex = extract();
  try {
    const tar = await openTarStream(abortable(createReadStream(path), signal));
    tar.on('error', (err) => ex.destroy(err));
    tar.pipe(ex as unknown as NodeJS.WritableStream);
    for await (const entry of ex) {
      const body = entry as unknown as Readable;
      await addEntry(out, adjust(entry.header, opts), entry.header.type === 'file' || entry.header.type === 'contiguous-file' ? body : undefined);
      body.resume();
    }
  } catch (err) {
    throw stopped(corruptArchive(err), signal);
  }
}

async function packDir(dir: string, dest: string, out: Pack, opts: EntryOptions, signal: AbortSignal | undefined): Promise<void> {
  const root = await lstat(dir).catch(() => undefined);
  if (!root?.isDirectory()) throw new NotFoundError(`${dir}: no such directory`, { code: 'ERR_FILE_NOT_FOUND' });
  const base = posix.normalize(`/${dest}`).replace(/^\/+|\/+$/g, '');
  if (base.split('/').includes('..')) throw new UsageError(`--dir ${dir}:${dest}: the destination must stay inside the image`);
  const owner = { uid: 0, gid: 0 };
  const parts = base ? base.split('/') : [];
  for (let i = 0; i < parts.length; i++) {
    const mode = i === parts.length - 1 ? root.mode & 0o7777 : 0o755;
    await addEntry(out, adjust({ name: `${parts.slice(0, i + 1).join('/')}/`, type: 'directory', mode, mtime: root.mtime }, opts, owner));
  }
  const links = new Map<string, string>();
  const walk = async (abs: string, rel: string): Promise<void> => {
    const names = (await readdir(abs)).sort();
    for (const name of names) {
      signal?.throwIfAborted();
      const path = join(abs, name);
      const inTar = rel ? `${rel}/${name}` : name;
      const st = await lstat(path);
      const header: Header = { name: inTar, mode: st.mode & 0o7777, mtime: st.mtime };
      if (st.isDirectory()) {
        await addEntry(out, adjust({ ...header, name: `${inTar}/`, type: 'directory' }, opts, owner));
        await walk(path, inTar);
      } else if (st.isSymbolicLink()) {
        await addEntry(out, adjust({ ...header, type: 'symlink', linkname: await readlink(path) }, opts, owner));
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first) {
          await addEntry(out, adjust({ ...header, type: 'link', linkname: first }, opts, owner));
        } else {
          if (st.nlink > 1) links.set(key, inTar);
          await addEntry(out, adjust({ ...header, type: 'file', size: st.size }, opts, owner), abortable(createReadStream(path), signal));
        }
      }
      // sockets, fifos and devices are left out: a directory of files is what `--dir` adds
    }
  };
  await walk(dir, base);
}

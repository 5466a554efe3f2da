import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, pack, type Header as FullHeader, type Pack } from 'tar-stream';
import { corruptArchive, openTarStream } from '../archive/decompress.js';
import { IntegrityError, NotFoundError, UsageError } from '../errors.js';
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
  return Readable.from(failingAs(out as unknown as AsyncIterable<Buffer>, fill));
}

/**
 * The pack's bytes; when it fails, the failure `fill` names (an entry body that breaks tears the pack down with a bare
 * 'Size mismatch' or 'Unexpected end of data' before `fill` rejects with the file and entry named).
 */
async function* failingAs(out: AsyncIterable<Buffer>, fill: Promise<void>): AsyncGenerator<Buffer> {
  try {
    yield* out;
  } catch (err) {
    await fill;
    throw err;
  }
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
  let current: string | undefined;
  try {
    const tar = await openTarStream(abortable(createReadStream(path), signal));
    tar.on('error', (err) => ex.destroy(err));
    tar.pipe(ex as unknown as NodeJS.WritableStream);
    for await (const entry of ex) {
      current = entry.header.name;
      storable(path, entry.header);
      const body = entry as unknown as Readable;
      await addEntry(out, adjust(entry.header, opts), entry.header.type === 'file' || entry.header.type === 'contiguous-file' ? body : undefined);
      body.resume();
    }
  } catch (err) {
    const e = corruptArchive(err);
    if (!(e instanceof IntegrityError)) throw stopped(e, signal);
    throw stopped(new IntegrityError(`${path}: ${current === undefined ? '' : `at entry ${current}: `}${e.message}`, { code: e.code, cause: err }), signal);
  }
}

/**
 * Refuses an entry a layer cannot hold as the tar means it: a GNU sparse file (`tar --sparse`: the old GNU 'S' type,
 * which tar-stream reports without a type, or PAX's GNU.sparse records) would otherwise be stored as its sparse map
 * or as 0 bytes.
 */
function storable(path: string, header: FullHeader): void {
  const pax = (header.pax ?? {}) as Record<string, string>;
  const sparse = Object.keys(pax).some((k) => k.startsWith('GNU.sparse.'));
  if (!sparse && header.type) return;
  const name = pax['GNU.sparse.name'] ?? header.name;
  throw new UsageError(sparse || header.type === null
    ? `${path}: ${name} is ${sparse ? 'a GNU sparse file' : 'of a tar entry type regctl cannot store (a GNU sparse file?)'}: a layer cannot hold it as the tar means it`
    : `${path}: ${name} has no tar entry type`, { hint: 'make the tar without --sparse (GNU tar) so the file is stored whole' });
}

/** A file's bytes as `size` declared them when the entry was written: a file that grows or shrinks meanwhile fails. */
async function* exactly(file: Readable, size: number, path: string): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of file as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > size) break;
    yield chunk;
  }
  if (seen !== size) {
    throw new UsageError(`${path} ${seen > size ? 'grew' : 'shrank'} while it was read (it had ${size} bytes): nothing was written`, {
      hint: 'add the directory when nothing is writing to it',
    });
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
          await addEntry(out, adjust({ ...header, type: 'file', size: st.size }, opts, owner), Readable.from(exactly(abortable(createReadStream(path), signal), st.size, path)));
        }
      }
      // sockets, fifos and devices are left out: a directory of files is what `--dir` adds
    }
  };
  await walk(dir, base);
}

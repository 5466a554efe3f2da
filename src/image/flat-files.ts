import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { corruptArchive, openTarStream } from '../archive/decompress.js';
import type { SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import type { Descriptor } from '../oci/manifest.js';
import { abortable, stopped } from '../util/abort.js';
import { cleanPath, Overlay } from './overlay.js';

/** What a path of an image's filesystem is. */
export type FileType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

/** One path of an image's flattened filesystem, as the layer that decides it has it. */
export interface FileInfo {
  type: FileType;
  /** Bytes of content (files; 0 otherwise). */
  size: number;
  /** Permission bits, setuid/setgid/sticky included (`0o755`). */
  mode: number;
  uid: number;
  gid: number;
  /** Of files: `sha256:` of the content. */
  digest?: string;
  /** Of symlinks: where it points, as written; of a hard link whose file its layer lacks: the path it names. */
  linkTarget?: string;
}

/**
 * Every path of the filesystem an image's layers make, as overlay makes it: each path from the highest layer that
 * has it, whiteouts (`.wh.NAME`) and opaque directories (`.wh..wh..opq`) hiding what lies below them, a path under
 * something that is no directory in a higher layer hidden, a path a layer has something in a directory (a lower
 * symlink or file there hidden), no whiteout entries left. Layers are read once each,
 * top-down, streamed (verified against their digest as they flow) and every file hashed on the way: what is held
 * is one FileInfo per path, never file contents. A hard link is a file like the one it names (as a filesystem sees
 * it). Paths are relative (`etc/passwd`), without the root.
 */
export async function flatFiles(src: SourceTarget, layers: readonly Descriptor[], signal?: AbortSignal): Promise<Map<string, FileInfo>> {
  const overlay = new Overlay<FileInfo>((info) => info.type === 'dir');
  for (let i = layers.length - 1; i >= 0; i--) {
    await readLayer(src, layers[i]!, signal, (name, info) => overlay.entry(name, info));
    // A hard link is the file it names in its own layer (one inode: its content, mode and owner), a path like any other.
    overlay.endLayer((info, layer) => {
      const target = info.type === 'hardlink' && info.linkTarget !== undefined ? layer.get(info.linkTarget) : undefined;
      return target?.type === 'file' ? { ...target } : info;
    });
  }
  return overlay.paths;
}

const TYPES: Partial<Record<NonNullable<Header['type']>, FileType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/** Each entry of one layer (gzip, zstd or plain tar), its body hashed; other kinds of entries are left out. */
async function readLayer(src: SourceTarget, layer: Descriptor, signal: AbortSignal | undefined, onEntry: (name: string, info: FileInfo) => void): Promise<void> {
  const what = `${src.description}: layer ${layer.digest}`;
  signal?.throwIfAborted();
  const { stream } = await src.fetchBlob(layer);
  const ex = extract();
  try {
    const tar = await openTarStream(abortable(verified(stream, layer, what), signal));
    tar.on('error', (err) => ex.destroy(err));
    tar.pipe(ex as unknown as NodeJS.WritableStream);
    for await (const entry of ex) {
      const h = entry.header;
      const body = entry as unknown as Readable;
      const type = TYPES[h.type ?? 'file'];
      const name = cleanPath(h.name);
      if (type === undefined || name === '') {
        body.resume();
        continue;
      }
      const info: FileInfo = { type, size: 0, mode: (h.mode ?? 0) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0 };
      if (type === 'file') {
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of body as AsyncIterable<Buffer>) {
          hash.update(chunk);
          size += chunk.length;
        }
        info.size = size;
        info.digest = `sha256:${hash.digest('hex')}`;
      } else {
        body.resume();
        if (type === 'symlink') info.linkTarget = h.linkname ?? '';
        if (type === 'hardlink') info.linkTarget = cleanPath(h.linkname ?? '');
      }
      onEntry(name, info);
    }
  } catch (err) {
    stream.destroy();
    throw stopped(corruptArchive(err), signal);
  }
}

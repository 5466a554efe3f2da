// A path looked up in the filesystem an image's layers make, from what each layer's tar lists (names and kinds, no
// file contents): the top layer first, whiteouts (`.wh.NAME`) and opaque directories (`.wh..wh..opq`) hiding what
// lies below them, a non-directory hiding a lower directory's contents, symbolic links followed inside the image
// root (an absolute target or `..` never leaves it). Lookups stop at the first layer that decides each name, so the
// caller reads layers from the top only until the answer no longer depends on the layers below.
import { posix } from 'node:path';
import { cleanPath, OPAQUE, WHITEOUT } from './overlay.js';

/** Symbolic links followed in one lookup before it fails, as Linux's ELOOP (40). */
export const MAX_SYMLINKS = 40;

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** One entry of a layer's tar, as far as a lookup needs it. */
export interface LayerEntry {
  kind: EntryKind;
  /** Its position among the tar's entries (0-based): the last of several entries of one name wins. */
  ordinal: number;
  size: number;
  mode: number;
  /** A symbolic link's target as written; a hard link's, as a path from the root. */
  target?: string;
}

/** What one layer's tar says about names: its entries, the directories they imply, its whiteouts and opaque directories. */
export class LayerListing {
  readonly entries = new Map<string, LayerEntry>();
  /** Directories the layer holds because an entry lies below them (a tar need not list them). */
  readonly implied = new Set<string>();
  readonly whiteouts = new Set<string>();
  readonly opaque = new Set<string>();

  /** Records a tar entry (`type` as tar-stream names it). */
  add(rawName: string, type: string | null | undefined, ordinal: number, size: number, mode: number, linkname?: string): void {
    const name = cleanPath(rawName);
    if (name === '') return;
    const dir = parentOf(name);
    const base = posix.basename(name);
    this.imply(dir);
    if (base === OPAQUE) {
      this.opaque.add(dir);
      return;
    }
    if (base.startsWith(WHITEOUT)) {
      this.whiteouts.add(joinPath(dir, base.slice(WHITEOUT.length)));
      return;
    }
    const kind = entryKind(type);
    this.entries.set(name, {
      kind, ordinal, size, mode,
      ...(kind === 'symlink' ? { target: linkname ?? '' } : kind === 'hardlink' ? { target: cleanPath(linkname ?? '') } : {}),
    });
  }

  private imply(dir: string): void {
    for (let d = dir; d !== '' && !this.implied.has(d); d = parentOf(d)) this.implied.add(d);
  }
}

function entryKind(type: string | null | undefined): EntryKind {
  switch (type) {
    case 'file': case 'contiguous-file': case null: case undefined: return 'file';
    case 'directory': return 'dir';
    case 'symlink': return 'symlink';
    case 'link': return 'hardlink';
    default: return 'other';
  }
}

function parentOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

function joinPath(dir: string, base: string): string {
  return dir === '' ? base : `${dir}/${base}`;
}

/** Where a name stands in the layers read so far. */
type Lookup =
  | { state: 'found'; layer: number; entry: LayerEntry }
  | { state: 'dir'; layer: number }
  | { state: 'absent' }
  | { state: 'undecided' };

/**
 * The layer that decides `name`, looking from layer `from` down (0 is the top): the first holding it (or a directory
 * below it), or the first hiding it — a whiteout of it or of a parent, an opaque parent, a parent that is no
 * directory. Undecided when no layer read so far decides and there are more to read (`complete` false).
 */
function lookup(layers: readonly LayerListing[], complete: boolean, from: number, name: string): Lookup {
  for (let i = from; i < layers.length; i++) {
    const l = layers[i]!;
    const entry = l.entries.get(name);
    if (entry && !(entry.kind !== 'dir' && l.implied.has(name))) return { state: 'found', layer: i, entry };
    if (l.implied.has(name)) return { state: 'dir', layer: i };
    if (l.whiteouts.has(name) || l.opaque.has('')) return { state: 'absent' };
    for (let parent = parentOf(name); parent !== ''; parent = parentOf(parent)) {
      if (l.whiteouts.has(parent) || l.opaque.has(parent)) return { state: 'absent' };
      const p = l.entries.get(parent);
      if (p && p.kind !== 'dir') return { state: 'absent' };
    }
  }
  return complete ? { state: 'absent' } : { state: 'undecided' };
}

/** The outcome of resolving a path. */
export type Resolved =
  /** A regular file: in layer `layer` (0 the top) as the tar entry `name`. */
  | { state: 'file'; layer: number; name: string; entry: LayerEntry }
  | { state: 'dir'; name: string }
  /** A device, a fifo: nothing to read. */
  | { state: 'other'; name: string }
  /** Not there; `name` is the first part of the path that is missing (or no directory). */
  | { state: 'absent'; name: string }
  /** More layers must be read to tell. */
  | { state: 'undecided' }
  | { state: 'loop'; name: string };

/**
 * Resolves `path` in the filesystem layers[from..] make (layers[0] the top), following symbolic links — every one,
 * the last part's too — within the image root, as `chroot` would: an absolute target starts again at the root, `..`
 * at the root stays there. A hard link resolves to the file it names, as of its own layer. `complete`: every layer of
 * the image is in `layers`; otherwise a name no layer read decides is `undecided`.
 */
export function resolvePath(layers: readonly LayerListing[], complete: boolean, path: string, from = 0, budget = { links: MAX_SYMLINKS }): Resolved {
  const todo = path.split('/');
  const cur: string[] = [];
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      cur.pop();
      continue;
    }
    const name = [...cur, part].join('/');
    const r = lookup(layers, complete, from, name);
    if (r.state === 'undecided') return r;
    if (r.state === 'absent') return { state: 'absent', name };
    const last = !todo.some((p) => p !== '' && p !== '.');
    if (r.state === 'dir' || r.entry.kind === 'dir') {
      cur.push(part);
      continue;
    }
    const { entry } = r;
    if (entry.kind === 'symlink') {
      if (--budget.links < 0) return { state: 'loop', name };
      const target = entry.target ?? '';
      if (target.startsWith('/')) cur.length = 0;
      todo.unshift(...target.split('/'));
      continue;
    }
    if (entry.kind === 'hardlink') {
      if (--budget.links < 0) return { state: 'loop', name };
      const linked = resolvePath(layers, complete, `/${entry.target ?? ''}`, r.layer, budget);
      if (linked.state !== 'file' && linked.state !== 'other') return linked.state === 'undecided' || linked.state === 'loop' ? linked : { state: 'absent', name };
      if (last) return linked;
      return { state: 'absent', name }; // a file is no directory
    }
    if (!last) return { state: 'absent', name };
    return entry.kind === 'file' ? { state: 'file', layer: r.layer, name, entry } : { state: 'other', name };
  }
  return { state: 'dir', name: cur.join('/') };
}

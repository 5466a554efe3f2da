// The filesystem an image's layers make, as overlay makes it, decided top-down: what export, flatten and
// diff --files agree on. get-file's path lookup (layer-fs.ts) follows the same rules for one path at a time.
import { posix } from 'node:path';

/** A whiteout `.wh.NAME` hides NAME in the layers below. */
export const WHITEOUT = '.wh.';
/** `.wh..wh..opq` in a directory hides everything the layers below have in it. */
export const OPAQUE = '.wh..wh..opq';

/** A tar path as the image's root names it: relative, normalized, no trailing slash, `..` stopping at the root; '' for the root. */
export function cleanPath(name: string): string {
  return posix.normalize(`/${name}`).slice(1).replace(/\/+$/, '');
}

/**
 * The paths of a filesystem, each with the value (an entry) of the highest layer that has it. Layers are fed from the
 * top: each entry of the layer being read with {@link entry}, then {@link endLayer}. A path is hidden by a whiteout
 * of it or of a parent, by an opaque parent, or by a parent that is no directory in a higher layer; a path that a
 * layer has something in is a directory there, whatever a lower layer (or the same one) made of it — a symlink
 * `d -> /tmp/x` below `d/file` is not kept, so no path ever has a symlink as its parent. Only paths are held.
 */
export class Overlay<T> {
  /** The paths decided so far, with the value of the layer that decided each. */
  readonly paths = new Map<string, T>();
  private readonly whiteouts = new Set<string>();
  private readonly opaque = new Set<string>();
  private readonly directories = new Set<string>();
  private layer = new Map<string, T>();
  private layerWhiteouts: string[] = [];
  private layerOpaque: string[] = [];
  private layerParents = new Set<string>();

  /** `isDirectory` says whether a value is a directory entry. */
  constructor(private readonly isDirectory: (value: T) => boolean) {}

  /** One entry of the layer being read, by its cleaned path (whiteouts and opaque markers included). */
  entry(name: string, value: T): void {
    const base = posix.basename(name);
    for (let parent = posix.dirname(name); parent !== '.' && !this.layerParents.has(parent); parent = posix.dirname(parent)) this.layerParents.add(parent);
    if (base === OPAQUE) this.layerOpaque.push(posix.dirname(name));
    else if (base.startsWith(WHITEOUT)) this.layerWhiteouts.push(posix.join(posix.dirname(name), base.slice(WHITEOUT.length)));
    else this.layer.set(name, value);
  }

  /**
   * The layer is read: its entries no higher layer hides become paths, each value as `keep` makes it from the
   * layer's own entries (a hard link as the file it names, say).
   */
  endLayer(keep: (value: T, layer: ReadonlyMap<string, T>) => T = (v) => v): void {
    for (const [name, value] of this.layer) {
      if (this.paths.has(name) || this.hidden(name)) continue;
      if (!this.isDirectory(value) && (this.directories.has(name) || this.layerParents.has(name))) continue;
      this.paths.set(name, keep(value, this.layer));
    }
    for (const w of this.layerWhiteouts) this.whiteouts.add(w);
    for (const o of this.layerOpaque) this.opaque.add(o);
    for (const d of this.layerParents) this.directories.add(d);
    this.layer = new Map();
    this.layerWhiteouts = [];
    this.layerOpaque = [];
    this.layerParents = new Set();
  }

  private hidden(name: string): boolean {
    if (this.whiteouts.has(name)) return true;
    for (let parent = posix.dirname(name); parent !== '.'; parent = posix.dirname(parent)) {
      if (this.whiteouts.has(parent) || this.opaque.has(parent)) return true;
      const above = this.paths.get(parent);
      if (above !== undefined && !this.isDirectory(above)) return true;
    }
    return this.opaque.has('.');
  }
}

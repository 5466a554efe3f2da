import { IntegrityError } from '../errors.js';
import type { ContentDigests } from './content-hasher.js';

/** A regular file of an extracted archive: where its bytes are on disk and what they hash to. */
export interface ArchiveFile extends ContentDigests {
  /** The archive path of its first entry (`blobs/sha256/…`, `abc…/layer.tar`). */
  name: string;
  /** Where the bytes are on disk (a numbered file in the extraction directory). */
  file: string;
}

export type ArchiveNode =
  | { kind: 'dir' }
  | { kind: 'file'; file: ArchiveFile }
  /** A regular file whose bytes were read past, not kept (no image of the archive refers to it). */
  | { kind: 'skipped'; size: number }
  | { kind: 'symlink'; target: string }
  | { kind: 'hardlink'; target: string };

const MAX_NAME = 4096;
const MAX_COMPONENT = 255;
const MAX_LINK_HOPS = 40;

export function hostile(message: string): IntegrityError {
  return new IntegrityError(`hostile archive: ${message}`, { code: 'ERR_ARCHIVE_HOSTILE' });
}

/**
 * The archive's namespace, kept in memory: entry names map to files, directories and links. Nothing of it is
 * created on disk except the files' bytes, so no entry can write outside the extraction directory, and links
 * are only ever followed here, lexically, never escaping the archive's root.
 */
export class ArchiveTree {
  private readonly nodes = new Map<string, ArchiveNode>();

  /** Checks an entry name (`./a/b`, `a/b/`) and returns its normalized form (`a/b`; `` for the root). */
  static entryName(raw: string): string {
    if (raw.length > MAX_NAME) throw hostile(`entry name is too long (${raw.length} bytes)`);
    if (raw.includes('\0')) throw hostile(`entry ${JSON.stringify(raw)} has a NUL byte in its name`);
    if (raw.startsWith('/')) throw hostile(`entry ${raw} has an absolute path`);
    const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw hostile(`entry ${raw} escapes the archive`);
    const long = parts.find((p) => Buffer.byteLength(p) > MAX_COMPONENT);
    if (long !== undefined) throw hostile(`entry ${raw.slice(0, 80)}… has a name component longer than ${MAX_COMPONENT} bytes`);
    return parts.join('/');
  }

  /** Records an entry; refuses entries under a file or link, conflicting duplicates and links leading outside. */
  add(name: string, node: ArchiveNode, raw: string): void {
    const parts = name === '' ? [] : name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const existing = this.nodes.get(prefix);
      if (existing && existing.kind !== 'dir') throw hostile(`entry ${raw} goes through ${prefix}, which is not a directory`);
      if (!existing) this.nodes.set(prefix, { kind: 'dir' });
    }
    if (node.kind === 'symlink') {
      if (node.target.startsWith('/')) throw hostile(`symlink ${raw} points to the absolute path ${node.target}`);
      if (normalize([...parts.slice(0, -1), ...node.target.split('/')]) === undefined) {
        throw hostile(`symlink ${raw} → ${node.target} points outside the archive`);
      }
    }
    if (node.kind === 'hardlink') {
      const target = this.nodes.get(node.target);
      if (target?.kind !== 'file' && target?.kind !== 'skipped' && target?.kind !== 'hardlink') throw hostile(`hard link ${raw} → ${node.target} does not name an earlier file`);
    }
    const existing = this.nodes.get(name);
    if (existing && !same(existing, node)) throw hostile(`entry ${raw} appears twice with different contents`);
    if (!existing) this.nodes.set(name, node);
  }

  /** The regular file at archive path `path`, following the archive's links; undefined when there is none. */
  file(path: string): ArchiveFile | undefined {
    const resolved = this.resolve(path);
    const node = resolved === undefined ? undefined : this.nodes.get(resolved);
    return node?.kind === 'file' ? node.file : undefined;
  }

  /** The regular file (kept or skipped) at archive path `path`, following links: its own entry name and size. */
  entry(path: string): { name: string; size: number } | undefined {
    const resolved = this.resolve(path);
    const node = resolved === undefined ? undefined : this.nodes.get(resolved);
    if (node?.kind === 'file') return { name: resolved!, size: node.file.size };
    if (node?.kind === 'skipped') return { name: resolved!, size: node.size };
    return undefined;
  }

  /** Every distinct regular file kept. */
  files(): ArchiveFile[] {
    return [...this.nodes.values()].flatMap((n) => (n.kind === 'file' ? [n.file] : []));
  }

  get size(): number {
    return this.nodes.size;
  }

  private resolve(path: string): string | undefined {
    let parts = normalize(path.split('/'));
    if (parts === undefined) throw hostile(`path ${path} escapes the archive`);
    let hops = 0;
    for (let i = 0; i < parts.length; ) {
      const node = this.nodes.get(parts.slice(0, i + 1).join('/'));
      if (node?.kind !== 'symlink' && node?.kind !== 'hardlink') {
        i++;
        continue;
      }
      if (++hops > MAX_LINK_HOPS) throw hostile(`too many levels of links at ${path}`);
      const base = node.kind === 'symlink' ? parts.slice(0, i) : [];
      const next = normalize([...base, ...node.target.split('/'), ...parts.slice(i + 1)]);
      if (next === undefined) throw hostile(`link ${parts.slice(0, i + 1).join('/')} → ${node.target} points outside the archive`);
      parts = next;
      i = 0;
    }
    return parts.join('/');
  }
}

/** Lexical normalization of path parts; undefined when `..` climbs above the root. */
function normalize(parts: string[]): string[] | undefined {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(p);
    }
  }
  return out;
}

function same(a: ArchiveNode, b: ArchiveNode): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'dir') return true;
  if (a.kind === 'skipped' && b.kind === 'skipped') return a.size === b.size;
  if (a.kind === 'file' && b.kind === 'file') return a.file.digest === b.file.digest;
  return (a as { target: string }).target === (b as { target: string }).target;
}

import { IntegrityError } from '../errors.js';
import type { ArchiveNode, ArchiveTree } from './archive-tree.js';
import { MAX_METADATA_BYTES } from '../util/limits.js';
import { drain, type FileHandler } from './tar-scan.js';
import { parseJson } from '../oci/json.js';

/** All JSON entries of an archive held in memory at once while finding what its images refer to. */
export const MAX_METADATA_TOTAL = 64 * 1024 * 1024;
const MAX_DEPTH = 8;
const DIGEST = /^([a-z0-9]+):([a-f0-9]+)$/;

/**
 * The first pass's file handler: keeps in `memory` every entry small enough to be metadata (≤ MAX_METADATA_BYTES)
 * whose content is JSON-like (index.json, manifest.json, manifests, indexes, configs), up to MAX_METADATA_TOTAL in
 * all; everything else is read past. Every file is recorded as skipped, with its size.
 */
export function metadataCollector(memory: Map<string, Buffer>): FileHandler {
  let left = MAX_METADATA_TOTAL;
  return async (header, name, body): Promise<ArchiveNode> => {
    const size = header.size ?? 0;
    if (size > MAX_METADATA_BYTES || memory.has(name)) {
      await drain(body);
      return { kind: 'skipped', size };
    }
    const chunks: Buffer[] = [];
    let json: boolean | undefined;
    for await (const chunk of body) {
      if (json === false) continue;
      json ??= jsonStart(chunk);
      if (json === false) continue;
      left -= chunk.length;
      if (left < 0) {
        throw new IntegrityError(`archive refused: its metadata (JSON entries) pass ${MAX_METADATA_TOTAL / 1024 / 1024} MiB`, { code: 'ERR_ARCHIVE_CORRUPT' });
      }
      chunks.push(chunk);
    }
    if (json !== false) memory.set(name, Buffer.concat(chunks));
    return { kind: 'skipped', size };
  };
}

/** Whether a chunk starts (after white space) like a JSON object or array; undefined when it is all white space. */
function jsonStart(chunk: Buffer): boolean | undefined {
  for (const b of chunk) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b || b === 0x5b;
  }
  return undefined;
}

/**
 * The entries the archive's images refer to, each with the size it must have: index.json and manifest.json, every
 * blob reachable from index.json (manifests, indexes, configs, layers, at the size their descriptor declares) and
 * every file docker's manifest.json names (Config, Layers; paths followed through the archive's links). An entry
 * whose size differs from what a descriptor declares is refused here, before anything is written.
 */
export function referencedEntries(tree: ArchiveTree, memory: Map<string, Buffer>): Map<string, number> {
  const want = new Map<string, number>();
  const add = (path: string, declared?: number): string | undefined => {
    const e = tree.entry(path);
    if (!e) return undefined;
    if (declared !== undefined && e.size !== declared) {
      throw new IntegrityError(`archive refused: ${path} holds ${e.size} bytes, its descriptor declares ${declared}`, { code: 'ERR_SIZE_MISMATCH' });
    }
    if (!want.has(e.name)) want.set(e.name, e.size);
    return e.name;
  };
  const metadata = (path: string): unknown => {
    const name = add(path);
    if (name === undefined) return undefined;
    if (want.get(name)! > MAX_METADATA_BYTES) throw new IntegrityError(`archive is corrupt: ${path} is too large`, { code: 'ERR_ARCHIVE_CORRUPT' });
    return parse(memory.get(name));
  };

  const seen = new Set<string>();
  const visit = (d: unknown, depth: number): void => {
    const desc = d as { digest?: unknown; size?: unknown } | null;
    if (typeof desc?.digest !== 'string' || !Number.isSafeInteger(desc.size) || (desc.size as number) < 0) return;
    const m = DIGEST.exec(desc.digest);
    if (!m) return;
    const name = add(`blobs/${m[1]}/${m[2]}`, desc.size as number);
    if (name === undefined || seen.has(name) || depth > MAX_DEPTH) return;
    seen.add(name);
    const doc = parse(memory.get(name)) as { manifests?: unknown; config?: unknown; layers?: unknown } | undefined;
    for (const child of list(doc?.manifests)) visit(child, depth + 1);
    visit(doc?.config, depth + 1);
    for (const layer of list(doc?.layers)) visit(layer, depth + 1);
  };
  for (const d of list((metadata('index.json') as { manifests?: unknown } | undefined)?.manifests)) visit(d, 0);
  for (const e of list(metadata('manifest.json'))) {
    const entry = e as { Config?: unknown; Layers?: unknown } | null;
    for (const path of [entry?.Config, ...list(entry?.Layers)]) if (typeof path === 'string') add(path);
  }
  return want;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function parse(bytes: Buffer | undefined): unknown {
  if (bytes === undefined) return undefined;
  try {
    return parseJson(bytes, 'archive metadata');
  } catch {
    return undefined;
  }
}

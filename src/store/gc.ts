import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NotFoundError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { isImageManifestMediaType, isIndexMediaType } from '../oci/media-types.js';
import { oldestLiveLease } from './lease.js';
import { parseTempName, PARTIAL_PREFIX, TEMP_PREFIX, tempOfDeadProcess } from './partial.js';
import type { OciLayout } from './layout.js';

export interface GcResult {
  /** Bytes of the blobs removed. */
  freedBytes: number;
  /** Digests of the blobs removed. */
  removedBlobs: string[];
  /** Temp files of dead processes (or, without a pid in their name, older than an hour) and partials older than a day that were removed. */
  removedTempFiles: number;
  /** False when a manifest reachable from the index could not be read or parsed: then no blob was removed. */
  complete: boolean;
}

/** Removes blobs no index entry of `layout` reaches, and abandoned temp and partial files, under the layout's lock. */
export function gcLayout(layout: OciLayout): Promise<GcResult> {
  return layout.withLock(() => collectGarbage(layout));
}

const TEMP_MAX_AGE_MS = 3600_000;
const PARTIAL_MAX_AGE_MS = 24 * 3600_000;
/** File-system timestamps and clocks are compared with this much slack. */
const CLOCK_SLACK_MS = 2000;
const ARTIFACT_MANIFEST = 'application/vnd.oci.artifact.manifest.v1+json';
const HEX_RE = /^[a-f0-9]{64}$|^[a-f0-9]{128}$/;

/**
 * Mark and sweep; the caller holds the layout's lock. Marks everything reachable from index.json (index →
 * manifests → config, layers, subject, blobs), then removes the other blobs, except those a live transfer's
 * lease protects (modified since the oldest live lease began). If a reachable manifest is unreadable, its
 * children are unknown, so nothing is removed (only stale temp files). Files that are not named like a digest
 * are left alone.
 */
export async function collectGarbage(layout: OciLayout, now = Date.now()): Promise<GcResult> {
  const index = await layout.readIndex();
  const { reachable, complete } = await markReachable(layout, index.manifests);
  const leaseSince = await oldestLiveLease(layout.dir);
  const result: GcResult = { freedBytes: 0, removedBlobs: [], removedTempFiles: 0, complete };
  const blobs = join(layout.dir, 'blobs');
  for (const alg of await list(blobs)) {
    for (const name of await list(join(blobs, alg))) {
      const path = join(blobs, alg, name);
      const st = await lstat(path).catch(() => undefined);
      if (!st) continue;
      if (name.startsWith(TEMP_PREFIX) || name.startsWith(PARTIAL_PREFIX)) {
        if (abandoned(name, now - st.mtimeMs)) {
          await rm(path, { force: true });
          result.removedTempFiles++;
        }
        continue;
      }
      if (!complete || !HEX_RE.test(name) || reachable.has(`${alg}:${name}`)) continue;
      if (!st.isFile() && !st.isSymbolicLink()) continue;
      if (leaseSince !== undefined && st.mtimeMs >= leaseSince - CLOCK_SLACK_MS) continue;
      await rm(path, { force: true });
      if (st.isFile()) result.freedBytes += st.size;
      result.removedBlobs.push(`${alg}:${name}`);
    }
  }
  return result;
}

/** A temp file whose writer is gone, an unnamed temp file of the older kind past an hour, a partial nobody resumed in a day. */
function abandoned(name: string, ageMs: number): boolean {
  if (name.startsWith(PARTIAL_PREFIX)) return ageMs > PARTIAL_MAX_AGE_MS;
  if (parseTempName(name)) return tempOfDeadProcess(name);
  return ageMs > TEMP_MAX_AGE_MS;
}

/** Digests reachable from `roots`; `complete` is false when some manifest's children could not be known. */
export async function markReachable(layout: OciLayout, roots: Descriptor[]): Promise<{ reachable: Set<string>; complete: boolean }> {
  const reachable = new Set<string>();
  let complete = true;
  const queue = [...roots];
  while (queue.length > 0) {
    const desc = queue.pop()!;
    if (typeof desc?.digest !== 'string' || reachable.has(desc.digest)) continue;
    reachable.add(desc.digest);
    const mt = desc.mediaType ?? '';
    const known = isIndexMediaType(mt) || isImageManifestMediaType(mt) || mt === ARTIFACT_MANIFEST;
    if (!known && mt !== '') continue; // a config or layer: a leaf
    let doc: unknown;
    try {
      doc = JSON.parse((await layout.readBlob(desc)).toString('utf8'));
    } catch (err) {
      if (err instanceof NotFoundError) continue; // e.g. the other platforms of an index pulled for one platform
      if (known) complete = false; // an unreadable manifest: its children are unknown
      continue;
    }
    queue.push(...children(doc));
  }
  return { reachable, complete };
}

function children(doc: unknown): Descriptor[] {
  if (!doc || typeof doc !== 'object') return [];
  const o = doc as Record<string, unknown>;
  const out: unknown[] = [];
  for (const key of ['config', 'subject']) if (o[key]) out.push(o[key]);
  for (const key of ['layers', 'manifests', 'blobs']) if (Array.isArray(o[key])) out.push(...(o[key] as unknown[]));
  return out.filter((d): d is Descriptor => !!d && typeof (d as Descriptor).digest === 'string' && typeof (d as Descriptor).size === 'number');
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

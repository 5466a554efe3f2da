import { createReadStream, createWriteStream } from 'node:fs';
import { rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExitCode, IntegrityError, RegctlError } from '../errors.js';
import { abortable } from '../util/abort.js';
import { metadataCollector, referencedEntries } from './archive-refs.js';
import type { ArchiveTree } from './archive-tree.js';
import { ContentHasher } from './content-hasher.js';
import { DEFAULT_MAX_SPOOL_BYTES, drain, scanTar, type ArchiveLimits, type FileHandler } from './tar-scan.js';

export { archiveLimits, DEFAULT_EXPANSION_RATIO, type ArchiveLimits } from './tar-scan.js';

/** Read chunks of 1 MiB: both passes stream the whole archive. */
const READ_CHUNK = 1024 * 1024;

/**
 * Reads a tar (optionally gzip- or zstd-compressed) from `input` into `dir`, which must be an empty private
 * directory, in two passes. The first keeps only the archive's metadata in memory (JSON entries; see
 * archive-refs.ts) and finds the entries its images refer to, each with the size its descriptor declares; the
 * second writes those entries' bytes, and only those, to numbered files in `dir`, hashed on the way (digest, and
 * diff_id of gzip layers). Entries nothing refers to are read past, never written, so what lands on disk is at most
 * the sum of the sizes the manifests declare. A stream (stdin) is first spooled to `dir` as it comes (compressed).
 * Names, directories and links are kept in the returned tree only. Hostile entries (`..`, absolute paths, links
 * leading outside, devices, fifos, conflicting duplicates), corrupt input (bad headers, sizes that lie,
 * truncation, a broken gzip stream), a gzip bomb and an entry larger than its descriptor declares fail with
 * IntegrityError; `dir` then holds only scratch files. When `signal` aborts, it stops at once and fails with the
 * signal's reason.
 */
export async function extractArchive(input: Readable | { path: string }, dir: string, limits: ArchiveLimits = {}, signal?: AbortSignal): Promise<ArchiveTree> {
  const spooled = input instanceof Readable ? join(dir, 'input') : undefined;
  const path = spooled ?? (input as { path: string }).path;
  try {
    if (spooled !== undefined) {
      await pipeline(abortable(input as Readable, signal), spoolGuard(dir, limits.maxSpoolBytes ?? DEFAULT_MAX_SPOOL_BYTES), createWriteStream(spooled, { flags: 'wx', mode: 0o600 }));
    }
    const memory = new Map<string, Buffer>();
    const scan = await scanTar(open(path), limits, metadataCollector(memory), signal);
    const want = referencedEntries(scan, memory);
    memory.clear();
    return await scanTar(open(path), limits, writeReferenced(want, dir), signal);
  } finally {
    if (spooled !== undefined) await rm(spooled, { force: true });
  }
}

/** Free space a spool leaves on its disk at least: below it, spooling stops rather than filling the disk. */
const SPOOL_RESERVE_BYTES = 256 * 1024 * 1024;
/** Free space is looked at again every this many bytes spooled. */
const SPOOL_CHECK_EVERY = 64 * 1024 * 1024;

/**
 * Counts what is spooled into `dir`: past `max` bytes, or when the disk holding `dir` gets down to its last
 * 256 MiB, the stream is refused (ERR_TOO_LARGE, ERR_FS_ENOSPC) and the caller removes what was written.
 */
function spoolGuard(dir: string, max: number): Transform {
  let total = 0;
  let nextCheck = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > max) {
        done(new RegctlError('ERR_TOO_LARGE', `the archive stream is larger than ${max} bytes (REGCTL_MAX_SPOOL); it was not kept`, ExitCode.failure, {
          hint: 'set REGCTL_MAX_SPOOL to a larger size (e.g. 200G) if the image really is that large',
        }));
        return;
      }
      if (total < nextCheck) {
        done(null, chunk);
        return;
      }
      nextCheck = total + SPOOL_CHECK_EVERY;
      statfs(dir).then((st) => {
        const free = st.bavail * st.bsize;
        if (free - chunk.length < SPOOL_RESERVE_BYTES) {
          done(new RegctlError('ERR_FS_ENOSPC', `only ${Math.floor(free / 1024 ** 2)} MiB left on the disk of ${dir}: spooling the archive stream stopped there (it was not kept)`, ExitCode.failure, {
            hint: 'set TMPDIR to a directory on a disk with room for the whole image',
          }));
        } else {
          done(null, chunk);
        }
      }, (err: unknown) => done(err as Error));
    },
  });
}

function open(path: string): Readable {
  return createReadStream(path, { highWaterMark: READ_CHUNK });
}

/** The second pass's file handler: writes each wanted entry once, at exactly its wanted size; reads past the rest. */
// Each wanted name is written once, at its declared size: what lands on disk is bounded by what the manifests declare.
function writeReferenced(want: Map<string, number>, dir: string): FileHandler {
  const written = new Set<string>();
  return async (header, name, body) => {
    const size = header.size ?? 0;
    const expected = want.get(name);
    if (expected === undefined) {
      await drain(body);
      return { kind: 'skipped', size };
    }
    if (size !== expected) { // pass 1 refused this already: only a file changed between the passes gets here
      throw new IntegrityError(`archive refused: ${name} holds ${size} bytes, its descriptor declares ${expected}`, { code: 'ERR_SIZE_MISMATCH' });
    }
    // A repeated entry is hashed (the tree refuses it when its content differs) but not written again.
    const path = written.has(name) ? undefined : join(dir, `f${written.size}`);
    if (path !== undefined) written.add(name);
    return { kind: 'file', file: { name, file: path ?? '', ...(await saveFile(body, path, size)) } };
  };
}

async function saveFile(entry: AsyncIterable<Buffer>, path: string | undefined, size: number) {
  const hasher = new ContentHasher();
  let seen = 0;
  let sourceError: unknown;
  async function* hashed(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of entry) {
        seen += chunk.length;
        await hasher.update(chunk);
        yield chunk;
      }
    } catch (err) {
      sourceError = err;
      throw err;
    }
  }
  try {
    if (path === undefined) await drain(hashed());
    else await pipeline(hashed, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (err) {
    throw sourceError ?? err;
  }
  if (seen !== size) throw new IntegrityError(`archive is corrupt: entry holds ${seen} bytes, its header says ${size}`, { code: 'ERR_ARCHIVE_CORRUPT' });
  return hasher.digests();
}

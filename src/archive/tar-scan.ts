import { Transform, type Readable } from 'node:stream';
import { extract as tarExtract, type Header } from 'tar-stream';
import { IntegrityError, UsageError } from '../errors.js';
import { abortable, stopped } from '../util/abort.js';
import { ArchiveTree, hostile, type ArchiveNode } from './archive-tree.js';
import { corruptArchive, openTarStream } from './decompress.js';

const BLOCK = 512;
/** How far past the ratio a stream may run before it is refused (headers, padding, a small first entry). */
const EXPANSION_SLACK = 16 * 1024 * 1024;
/** gzip of tar of file systems is 2-10×; of real images' already-compressed layers about 1×. zeros reach 1000×. */
export const DEFAULT_EXPANSION_RATIO = 100;

export interface ArchiveLimits {
  /** Refuse a gzip-compressed archive whose tar grows past this many times its compressed size. */
  maxExpansionRatio?: number;
  /** An archive read from a stream (stdin, the Docker daemon) is spooled to disk first: at most this many bytes. */
  maxSpoolBytes?: number;
}

/** A stream spooled for reading is refused past 64 GiB unless REGCTL_MAX_SPOOL says otherwise. */
export const DEFAULT_MAX_SPOOL_BYTES = 64 * 1024 ** 3;

/**
 * The limits from the environment: REGCTL_MAX_EXPANSION_RATIO (a number ≥ 1) and REGCTL_MAX_SPOOL (bytes, or with a
 * binary unit: `500M`, `20G`, `1T`).
 */
export function archiveLimits(env: Record<string, string | undefined>): ArchiveLimits {
  const limits: ArchiveLimits = {};
  const ratio = env['REGCTL_MAX_EXPANSION_RATIO'];
  if (ratio !== undefined && ratio.trim() !== '') {
    const n = Number(ratio);
    if (!Number.isFinite(n) || n < 1) throw new UsageError(`REGCTL_MAX_EXPANSION_RATIO must be a number of at least 1, not "${ratio}"`);
    limits.maxExpansionRatio = n;
  }
  const spool = env['REGCTL_MAX_SPOOL'];
  if (spool !== undefined && spool.trim() !== '') {
    const m = /^(\d+)\s*([KMGT]?)i?B?$/i.exec(spool.trim());
    const bytes = m ? Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] || ' ').toUpperCase()) : NaN;
    if (!Number.isSafeInteger(bytes) || bytes < 1) throw new UsageError(`REGCTL_MAX_SPOOL must be a size in bytes (or 500M, 20G, 1T), not "${spool}"`);
    limits.maxSpoolBytes = bytes;
  }
  return limits;
}

/** What becomes of a regular file's bytes: the handler reads `body` to its end and says what the entry is. */
export type FileHandler = (header: Header, name: string, body: AsyncIterable<Buffer>) => Promise<ArchiveNode>;

/**
 * Reads a tar (plain, gzip- or zstd-compressed) from `input` once, entry by entry: names, directories and links
 * go into the returned tree after every check (`..`, absolute paths, links leading outside, devices, fifos,
 * conflicting duplicates); each regular file's body goes to `onFile`. A gzip bomb (the tar growing past
 * `maxExpansionRatio` × the compressed bytes read) and corrupt input (bad headers, sizes that lie, truncation, a
 * broken gzip stream) fail with IntegrityError. When `signal` aborts, the scan stops at once (without waiting for a
 * read in progress) and fails with the signal's reason.
 */
export async function scanTar(input: Readable, limits: ArchiveLimits, onFile: FileHandler, signal?: AbortSignal): Promise<ArchiveTree> {
  const counts = { compressed: 0, gzip: false };
  const tar = await openTarStream(abortable(input, signal), counts);
  const ratio = limits.maxExpansionRatio ?? DEFAULT_EXPANSION_RATIO;
  let total = 0;
  let head: Buffer | undefined = Buffer.alloc(0);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      // A gzip bomb is refused while it is still small on disk: expansion may run ahead of ratio × input by SLACK.
      if (counts.gzip && total > counts.compressed * ratio + EXPANSION_SLACK) {
        done(new IntegrityError(`archive refused: it expands more than ${ratio} times its compressed size (a gzip bomb?)`, {
          code: 'ERR_ARCHIVE_BOMB',
          hint: `if the archive is genuine, allow more with REGCTL_MAX_EXPANSION_RATIO (now ${ratio})`,
        }));
        return;
      }
      if (head) {
        head = Buffer.concat([head, chunk]);
        if (head.length >= BLOCK) {
          if (!isTarHeader(head.subarray(0, BLOCK))) return done(notATar());
          head = undefined;
        }
      }
      done(null, chunk);
    },
    flush(done) {
      done(head ? notATar() : null);
    },
  });
  const ex = abortable(tarExtract(), signal);
  tar.on('error', (err) => counter.destroy(err));
  counter.on('error', (err) => ex.destroy(err));
  tar.pipe(counter).pipe(ex as unknown as NodeJS.WritableStream);

  const tree = new ArchiveTree();
  let end = 0;
  try {
    for await (const entry of ex) {
      const header = entry.header;
      const offset = (header as Header & { byteOffset?: number }).byteOffset ?? 0;
      end = offset + Math.ceil((header.size ?? 0) / BLOCK) * BLOCK;
      const name = ArchiveTree.entryName(header.name);
      const node = await entryNode(header, name, entry as AsyncIterable<Buffer>, onFile);
      if (name === '' && node.kind === 'dir') continue;
      if (name === '') throw hostile(`entry ${header.name} has no name`);
      tree.add(name, node, header.name);
    }
  } catch (err) {
    tar.destroy();
    input.destroy();
    throw stopped(isFsError(err) ? err : corruptArchive(err), signal);
  }
  if (tree.size === 0) throw new IntegrityError('archive is corrupt: it holds no entries', { code: 'ERR_ARCHIVE_CORRUPT' });
  if (total < end + BLOCK) {
    throw new IntegrityError('archive is corrupt: it ends without the end-of-archive marker (truncated)', { code: 'ERR_ARCHIVE_CORRUPT' });
  }
  return tree;
}

async function entryNode(header: Header, name: string, entry: AsyncIterable<Buffer>, onFile: FileHandler): Promise<ArchiveNode> {
  const isFile = header.type === 'file' || header.type === 'contiguous-file' || header.type === null || header.type === undefined;
  // tar-stream never ends the body of a directory or link that claims data: refuse it rather than wait forever.
  if (!isFile && (header.size ?? 0) > 0) throw hostile(`entry ${header.name} is a ${header.type} that claims ${header.size} bytes of data`);
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
    case null:
    case undefined:
      return onFile(header, name, entry);
    case 'directory':
      await drain(entry);
      return { kind: 'dir' };
    case 'symlink':
      await drain(entry);
      return { kind: 'symlink', target: header.linkname ?? '' };
    case 'link':
      await drain(entry);
      return { kind: 'hardlink', target: ArchiveTree.entryName(header.linkname ?? '') };
    default:
      throw hostile(`entry ${header.name} is a ${header.type}; only files, directories and links are allowed`);
  }
}

/** Reads an entry's body to its end, keeping nothing. */
export async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of entry) {
    // read past
  }
}

/** The first block of a tar is a header whose checksum (bytes summed, the checksum field read as spaces) matches. */
function isTarHeader(block: Buffer): boolean {
  const field = block.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]{1,7}$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === parseInt(field, 8);
}

function notATar(): UsageError {
  return new UsageError('not a tar archive (nor a gzip-compressed one)', { hint: 'load reads what docker save, podman save and regctl save write' });
}

function isFsError(err: unknown): boolean {
  return typeof (err as { syscall?: unknown })?.syscall === 'string';
}

import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { IntegrityError, UsageError } from '../errors.js';
import { zstdDecompress } from './zstd.js';

/** How a byte stream is compressed, from its magic bytes. */
export type Compression = 'none' | 'gzip' | 'zstd' | 'bzip2' | 'xz';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'zstd';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  return 'none';
}

/** Bytes needed to tell the compressions apart. */
export const MAGIC_LENGTH = 6;

/**
 * The tar stream inside `input`: passed through when plain, gunzipped when gzip-compressed (node:zlib), decoded
 * when zstd-compressed (zstd.ts). bzip2 and xz are not supported: UsageError. A gzip stream that is corrupt or ends early
 * makes the returned stream fail with IntegrityError.
 */
export async function openTarStream(input: Readable, counts: { compressed: number; gzip: boolean } = { compressed: 0, gzip: false }): Promise<Readable> {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headLength = 0;
  let done = false;
  while (headLength < MAGIC_LENGTH) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    head.push(chunk);
    headLength += chunk.length;
  }
  const compression = detectCompression(Buffer.concat(head));
  if (compression === 'xz' || compression === 'bzip2') {
    input.destroy();
    throw new UsageError(`${compression}-compressed archives are not supported`, {
      hint: `decompress it first (with ${compression === 'xz' ? 'xz -d' : 'bunzip2'}), or use gzip or zstd`,
    });
  }
  counts.gzip = compression === 'gzip';
  async function* replay(): AsyncGenerator<Buffer> {
    for (const chunk of head) {
      counts.compressed += chunk.length;
      yield chunk;
    }
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      counts.compressed += chunk.length;
      yield chunk;
    }
  }
  const raw = Readable.from(replay(), { objectMode: false });
  if (compression === 'none') return raw;
  if (compression === 'zstd') return zstdDecompress(raw);
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  gunzip.on('error', () => raw.destroy());
  raw.pipe(gunzip);
  return gunzip;
}

/** An error met while reading an archive, as the IntegrityError the caller should throw. */
export function corruptArchive(err: unknown): Error {
  if (err instanceof IntegrityError || err instanceof UsageError) return err;
  const e = err as Error & { code?: string };
  const zlib = typeof e?.code === 'string' && e.code.startsWith('Z_');
  const message = e?.message ?? String(err);
  if (zlib) return new IntegrityError(`archive is corrupt: gzip: ${message}`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
  return new IntegrityError(`archive is corrupt: ${message}`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
}

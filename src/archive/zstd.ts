import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { IntegrityError, UsageError } from '../errors.js';

/**
 * zstd decompression: Node's own streaming decoder where the runtime has it (zlib.createZstdDecompress, Node ≥ 22.15),
 * else @mongodb-js/zstd (an optional dependency shipping prebuilt binaries in npm packages), which decodes whole
 * buffers only: then a zstd layer or archive is held in memory while it is decoded.
 */
type NodeZstd = { createZstdDecompress?: () => Transform; createZstdCompress?: () => Transform };

function nodeDecoder(): Transform | undefined {
  return (zlib as unknown as NodeZstd).createZstdDecompress?.();
}

async function decodeBuffer(data: Buffer): Promise<Buffer> {
  let mod: { decompress(data: Buffer): Promise<Buffer> };
  try {
    mod = (await import('@mongodb-js/zstd')) as typeof mod;
  } catch (err) {
    throw new UsageError('zstd is not available: this Node has no zstd decoder and @mongodb-js/zstd could not be loaded', { cause: err });
  }
  try {
    return await mod.decompress(data);
  } catch (err) {
    throw new IntegrityError(`zstd: ${(err as Error).message}`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
  }
}

/** The decompressed content of a zstd stream, as a stream. */
export async function zstdDecompress(input: Readable): Promise<Readable> {
  const decoder = nodeDecoder();
  if (decoder) {
    input.on('error', (err) => decoder.destroy(err));
    decoder.on('error', () => input.destroy());
    return input.pipe(decoder);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk as Buffer);
  return Readable.from([await decodeBuffer(Buffer.concat(chunks))]);
}

/**
 * The zstd-compressed form of a stream (a `…tar+zstd` layer): Node's streaming encoder where it has one, else
 * @mongodb-js/zstd on the whole content held in memory.
 */
export async function zstdCompress(input: Readable): Promise<Readable> {
  const encoder = (zlib as unknown as NodeZstd).createZstdCompress?.();
  if (encoder) {
    input.on('error', (err) => encoder.destroy(err));
    return input.pipe(encoder);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(chunk as Buffer);
  let mod: { compress(data: Buffer, level?: number): Promise<Buffer> };
  try {
    mod = (await import('@mongodb-js/zstd')) as typeof mod;
  } catch (err) {
    throw new UsageError('zstd is not available: this Node has no zstd encoder and @mongodb-js/zstd could not be loaded', { cause: err });
  }
  return Readable.from([await mod.compress(Buffer.concat(chunks), 3)]);
}

/** `sha256:<hex>` of a zstd file's decompressed content (a zstd layer's diff_id). */
export async function zstdDiffId(path: string): Promise<string> {
  const hash = createHash('sha256');
  const decoder = nodeDecoder();
  if (decoder) {
    decoder.on('data', (c: Buffer) => hash.update(c));
    try {
      await pipeline(createReadStream(path), decoder);
    } catch (err) {
      throw new IntegrityError(`zstd: ${(err as Error).message}`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
    }
  } else {
    hash.update(await decodeBuffer(await readFile(path)));
  }
  return `sha256:${hash.digest('hex')}`;
}

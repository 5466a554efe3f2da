import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { IntegrityError, UsageError } from '../errors.js';
import { ZstdFrameSplitter } from './zstd-frames.js';

/**
 * zstd both ways as streams. Node's own streaming encoder and decoder where the runtime has them
 * (zlib.createZstdCompress/createZstdDecompress, Node ≥ 22.15); else @mongodb-js/zstd (an optional dependency shipping
 * prebuilt binaries in npm packages), which takes whole buffers only, used a frame at a time:
 * - encoding cuts the content into fixed {@link ZSTD_CHUNK}-byte pieces and compresses each into its own frame (a
 *   concatenation of frames is one zstd stream every decoder reads), {@link IN_FLIGHT} at once on the libuv pool, so
 *   the same content always gives the same bytes, however it arrives;
 * - decoding cuts the stream into its frames (zstd-frames.ts) and decodes each whole, a few in flight.
 * Memory is bounded by the frame size: frames written here (and by any chunking encoder) are small; a stream that
 * is one big frame (the `zstd` command on a pipe, Go's encoders) is still held a frame at a time.
 */
type NodeZstd = { createZstdDecompress?: () => Transform; createZstdCompress?: () => Transform };
interface ZstdBinding {
  compress(data: Buffer, level?: number): Promise<Buffer>;
  decompress(data: Buffer): Promise<Buffer>;
}

/**
 * Bytes of content per frame when encoding without Node's streaming encoder. Measured on a 1 GiB tar (2 cores):
 * 1 MiB frames cost 1.5% in size against one frame and peak at 106–134 MiB RSS; 4 MiB frames 0.3% but 137–186 MiB
 * (the binding grows a Vec per frame on each pool thread, and its buffers wait for the garbage collector).
 */
export const ZSTD_CHUNK = 1024 * 1024;
/** Frames compressed or decompressed at once beyond the one being waited for (the machine's cores stay busy). */
const IN_FLIGHT = 2;
const LEVEL = 3;

function nodeZstd(): NodeZstd {
  return zlib as unknown as NodeZstd;
}

async function binding(what: 'encoder' | 'decoder'): Promise<ZstdBinding> {
  try {
    return (await import('@mongodb-js/zstd')) as ZstdBinding;
  } catch (err) {
    throw new UsageError(`zstd is not available: this Node has no zstd ${what} and @mongodb-js/zstd could not be loaded`, { cause: err });
  }
}

function corrupt(err: unknown): IntegrityError {
  if (err instanceof IntegrityError || err instanceof UsageError) return err;
  return new IntegrityError(`zstd: ${(err as Error).message}`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
}

/** Work started in order and taken in order, at most `limit` started and not yet taken. */
class Ordered<T> {
  private readonly queue: Promise<T>[] = [];
  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.queue.length > this.limit;
  }

  get size(): number {
    return this.queue.length;
  }

  add(work: Promise<T>): void {
    work.catch(() => undefined); // taken (and thrown) in order by next()
    this.queue.push(work);
  }

  next(): Promise<T> {
    return this.queue.shift()!;
  }
}

/**
 * Buffers reused in turn for the frames in flight (at most IN_FLIGHT + 1 started and not taken while the next one
 * fills), so a long stream does not leave a trail of large buffers for the garbage collector: its memory stays flat.
 */
class Ring {
  private readonly buffers: Buffer[] = [];
  private turn = 0;

  /** The next buffer, of at least `size` bytes (a view of exactly `size`). */
  next(size: number): Buffer {
    const i = this.turn;
    this.turn = (this.turn + 1) % (IN_FLIGHT + 2);
    if ((this.buffers[i]?.length ?? -1) < size) this.buffers[i] = Buffer.allocUnsafeSlow(Math.max(size, 64 * 1024));
    return this.buffers[i]!.subarray(0, size);
  }
}

async function* encodeFrames(input: AsyncIterable<Buffer | string>, zstd: ZstdBinding): AsyncGenerator<Buffer> {
  const work = new Ordered<Buffer>(IN_FLIGHT);
  const ring = new Ring();
  let chunk = ring.next(ZSTD_CHUNK);
  let filled = 0;
  let frames = 0;
  for await (const piece of input) {
    const data = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let at = 0;
    while (at < data.length) {
      const n = Math.min(ZSTD_CHUNK - filled, data.length - at);
      data.copy(chunk, filled, at, at + n);
      filled += n;
      at += n;
      if (filled === ZSTD_CHUNK) {
        work.add(zstd.compress(chunk, LEVEL));
        frames++;
        filled = 0;
        while (work.full) yield await work.next();
        chunk = ring.next(ZSTD_CHUNK);
      }
    }
  }
  if (filled > 0 || frames === 0) work.add(zstd.compress(chunk.subarray(0, filled), LEVEL)); // empty content: one empty frame
  while (work.size > 0) yield await work.next();
}

async function* decodeFrames(input: AsyncIterable<Buffer | string>, zstd: ZstdBinding): AsyncGenerator<Buffer> {
  const splitter = new ZstdFrameSplitter();
  const work = new Ordered<Buffer>(IN_FLIGHT);
  const ring = new Ring();
  for await (const piece of input) {
    for (const frame of splitter.push(typeof piece === 'string' ? Buffer.from(piece) : piece)) {
      if (frame.skippable) continue;
      let data = frame.parts[0]!;
      if (frame.parts.length > 1) {
        data = ring.next(frame.size);
        let at = 0;
        for (const part of frame.parts) at += part.copy(data, at);
      }
      work.add(
        zstd.decompress(data).catch((err: unknown) => {
          throw corrupt(err);
        }),
      );
      while (work.full) yield await work.next();
    }
  }
  splitter.end();
  while (work.size > 0) yield await work.next();
}

function piped(input: Readable, transform: Transform): Readable {
  input.on('error', (err) => transform.destroy(err));
  transform.on('error', () => input.destroy());
  return input.pipe(transform);
}

/** The decompressed content of a zstd stream, as a stream (read as it is consumed). */
export async function zstdDecompress(input: Readable): Promise<Readable> {
  const decoder = nodeZstd().createZstdDecompress?.();
  if (decoder) return piped(input, decoder);
  const zstd = await binding('decoder');
  const out = Readable.from(decodeFrames(input, zstd), { objectMode: false });
  out.on('close', () => input.destroy());
  return out;
}

/**
 * The zstd-compressed form of a stream (a `…tar+zstd` layer), level 3: Node's streaming encoder where it has one,
 * else frames of {@link ZSTD_CHUNK} bytes of content each.
 */
export async function zstdCompress(input: Readable): Promise<Readable> {
  const encoder = nodeZstd().createZstdCompress?.();
  if (encoder) {
    input.on('error', (err) => encoder.destroy(err));
    return input.pipe(encoder);
  }
  const zstd = await binding('encoder');
  const out = Readable.from(encodeFrames(input, zstd), { objectMode: false });
  out.on('close', () => input.destroy());
  return out;
}

/** `sha256:<hex>` of a zstd file's decompressed content (a zstd layer's diff_id). */
export async function zstdDiffId(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    await pipeline(await zstdDecompress(createReadStream(path)), async (content: AsyncIterable<Buffer>) => {
      for await (const c of content) hash.update(c);
    });
  } catch (err) {
    throw corrupt(err);
  }
  return `sha256:${hash.digest('hex')}`;
}

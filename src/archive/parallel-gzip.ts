// gzip on every core into ONE standard gzip stream, pigz's method: the input is cut into blocks of a fixed size, each
// block is raw-deflated on its own with the 32 KiB of input before it as its dictionary and ended with a sync flush
// (so it ends on a byte boundary, BFINAL clear), the last block with Z_FINISH; the blocks are joined in order behind
// one gzip header and the trailer is the CRC-32 of the whole input and its length mod 2^32. Every gzip reader sees one
// member whose deflate stream merely has empty stored blocks where the blocks meet.
//
// Node's asynchronous zlib calls run on libuv's threadpool, so a few blocks in flight (three: the pool has four
// threads) keep up to three cores compressing while the main thread reads the input, hashes and writes. Block boundaries depend on the byte count only, never on how the
// input arrives, and each block's output depends only on its bytes and its dictionary: the same input gives the same
// bytes whatever the timing.
import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';

/**
 * Bytes of input per block (pigz's default is 128 KiB). Each block's deflate state is set up — and its dictionary
 * hashed — on the main thread, so larger blocks leave it freer: `append --dir` of 303 MB took 9.7–10.6 s with 1 MiB
 * blocks against 12.6–13.8 s with 256 KiB (idle 2-core machine), output within 0.02%.
 */
export const GZIP_BLOCK_SIZE = 1024 * 1024;
/** The deflate window: how much of the input before a block is its dictionary. */
const WINDOW = 32 * 1024;
/** What zlib writes for `createGzip()`: no name, no mtime, XFL 0 (levels 2 to 8), OS 3 (Unix). */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);

/** Options of {@link createParallelGzip}. */
export interface ParallelGzipOptions {
  /** zlib level; default 6, gzip's and `createGzip()`'s default. */
  level?: number;
  /** Input bytes per block; default {@link GZIP_BLOCK_SIZE}. Changing it changes the output bytes. */
  blockSize?: number;
  /**
   * Blocks compressed at once at most (memory: about 3 blocks each); default the number of cores plus one, at most
   * 3: libuv's threadpool has 4 threads and the file reads and writes around the compressor need one.
   */
  inFlight?: number;
}

type Deflated = { done: boolean; out?: Buffer; err?: Error; wait: Promise<void> };

/**
 * A transform from bytes to one gzip member, compressed on the threadpool block by block. Memory is bounded: at most
 * `inFlight` blocks are being compressed; beyond that the transform waits for the oldest before taking more input.
 */
export function createParallelGzip(options: ParallelGzipOptions = {}): Transform {
  const level = options.level ?? 6;
  const blockSize = options.blockSize ?? GZIP_BLOCK_SIZE;
  if (!Number.isInteger(blockSize) || blockSize < WINDOW) throw new RangeError(`gzip block size must be an integer of at least ${WINDOW}`);
  const inFlight = Math.max(1, options.inFlight ?? Math.min(availableParallelism() + 1, 3));
  // deflateBound of a block plus a sync marker: the whole block comes out in one pass over the threadpool
  const chunkSize = blockSize + (blockSize >> 10) + 1024;

  let pending: Buffer[] = []; // input not yet in a block
  let pendingBytes = 0;
  let dictionary: Buffer | undefined; // the last WINDOW bytes before the next block
  let crc = 0;
  let isize = 0;
  let headerSent = false;
  const queue: Deflated[] = []; // blocks in flight, oldest first

  const start = (block: Buffer, last: boolean) => {
    crc = zlib.crc32(block, crc);
    isize = (isize + block.length) >>> 0;
    const opts: zlib.ZlibOptions = {
      level,
      chunkSize,
      finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
      ...(dictionary ? { dictionary } : {}),
    };
    const job = { done: false } as Deflated;
    job.wait = new Promise<void>((resolve) => {
      zlib.deflateRaw(block, opts, (err, out) => {
        job.done = true;
        if (err) job.err = err;
        else job.out = out;
        resolve();
      });
    });
    queue.push(job);
    // the next block's dictionary: the end of this one (a copy, so the block itself can go once it is compressed)
    dictionary = block.length >= WINDOW ? Buffer.from(block.subarray(block.length - WINDOW)) : Buffer.concat([dictionary ?? Buffer.alloc(0), block]).subarray(-WINDOW);
  };

  /** Pushes the finished blocks at the head of the queue; while `queue.length > keep`, waits for the oldest first. */
  const drain = async (stream: Transform, keep: number) => {
    for (;;) {
      const head = queue[0];
      if (!head) return;
      if (!head.done) {
        if (queue.length <= keep) return;
        await head.wait;
      }
      queue.shift();
      if (head.err) throw head.err;
      if (stream.destroyed) throw new Error('gzip: stream destroyed');
      stream.push(head.out);
    }
  };

  /** Cuts whole blocks out of the pending input (boundaries at multiples of blockSize from the start). */
  const takeBlocks = () => {
    const blocks: Buffer[] = [];
    if (pendingBytes < blockSize) return blocks;
    let joined = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    while (joined.length >= blockSize) {
      blocks.push(joined.subarray(0, blockSize));
      joined = joined.subarray(blockSize);
    }
    // what is left is copied out so the (possibly large) chunk it came from is not kept alive by it
    pending = joined.length ? [Buffer.from(joined)] : [];
    pendingBytes = joined.length;
    return blocks;
  };

  return new Transform({
    // the readable side holds compressed blocks; keep it small, the blocks in flight are the buffer
    readableHighWaterMark: blockSize,
    writableHighWaterMark: blockSize,
    transform(this: Transform, chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback) {
      if (!headerSent) {
        headerSent = true;
        this.push(HEADER);
      }
      pending.push(chunk);
      pendingBytes += chunk.length;
      const blocks = takeBlocks();
      (async () => {
        for (const block of blocks) {
          await drain(this, inFlight - 1);
          start(block, false);
        }
        await drain(this, inFlight);
      })().then(() => settle(this, callback), (err: Error) => settle(this, callback, err));
    },
    flush(this: Transform, callback: TransformCallback) {
      if (!headerSent) {
        headerSent = true;
        this.push(HEADER);
      }
      (async () => {
        // the last block holds what is left (perhaps nothing: then it is only the final empty deflate block)
        await drain(this, inFlight - 1);
        start(pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes), true);
        pending = [];
        pendingBytes = 0;
        await drain(this, 0);
        const trailer = Buffer.alloc(8);
        trailer.writeUInt32LE(crc >>> 0, 0);
        trailer.writeUInt32LE(isize, 4);
        this.push(trailer);
      })().then(() => settle(this, callback), (err: Error) => settle(this, callback, err));
    },
  });
}

/** Ends a transform or flush step, unless the stream was destroyed meanwhile (its blocks then finish unread). */
function settle(stream: Transform, callback: TransformCallback, err?: Error): void {
  if (!stream.destroyed) callback(err);
}

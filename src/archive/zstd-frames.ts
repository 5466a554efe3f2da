import { IntegrityError } from '../errors.js';

/**
 * Cuts a zstd stream into its frames (RFC 8878 §3.1) as the bytes arrive, reading only the frame headers and the
 * 3-byte block headers, so each frame can be handed whole to a decoder that takes buffers. A zstd stream is a
 * concatenation of frames; skippable frames (magic 0x184D2A5?) carry no content and are passed on flagged.
 */

/**
 * One frame of a zstd stream: its bytes (in the pieces they arrived in, `size` in all), and the content size its
 * header declares (undefined when it has none).
 */
export interface ZstdFrame {
  parts: Buffer[];
  size: number;
  contentSize: number | undefined;
  skippable: boolean;
}

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const DICT_ID_SIZE = [0, 1, 2, 4];

type Phase = 'magic' | 'descriptor' | 'header' | 'block' | 'block-body' | 'checksum' | 'skippable-size' | 'skippable-body';

function corrupt(message: string): IntegrityError {
  return new IntegrityError(`zstd: ${message}`, { code: 'ERR_ARCHIVE_CORRUPT' });
}

export class ZstdFrameSplitter {
  /** Bytes of the current frame from earlier chunks. */
  private parts: Buffer[] = [];
  private size = 0;
  /** Fixed-size fields (magic, frame header, block header) being read. */
  private readonly field = Buffer.alloc(18);
  private have = 0;
  private want = 4;
  private skip = 0;
  private phase: Phase = 'magic';
  private checksum = false;
  private contentSize: number | undefined;
  private skippable = false;
  private readonly done: ZstdFrame[] = [];

  /** The frames `chunk` completes (none while a frame is still arriving). */
  push(chunk: Buffer): ZstdFrame[] {
    let start = 0;
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        i += n;
        this.skip -= n;
        if (this.skip === 0) this.skipped();
      } else {
        const n = Math.min(this.want - this.have, chunk.length - i);
        chunk.copy(this.field, this.have, i, i + n);
        this.have += n;
        i += n;
        if (this.have === this.want) this.read();
      }
      if (this.phase === 'magic' && this.have === 0 && this.skip === 0 && (this.parts.length > 0 || i > start)) {
        // a frame ended at i
        this.parts.push(chunk.subarray(start, i));
        this.done.push({ parts: this.parts, size: this.size + i - start, contentSize: this.contentSize, skippable: this.skippable });
        this.parts = [];
        this.size = 0;
        start = i;
      }
    }
    if (start < chunk.length) {
      this.parts.push(chunk.subarray(start));
      this.size += chunk.length - start;
    }
    return this.done.splice(0);
  }

  /** Checks the stream did not end inside a frame. */
  end(): void {
    if (this.parts.length > 0) throw corrupt('the stream ends inside a frame (truncated)');
  }

  private read(): void {
    const f = this.field;
    switch (this.phase) {
      case 'magic': {
        const magic = f.readUInt32LE(0);
        if (magic === ZSTD_MAGIC) {
          this.skippable = false;
          this.phase = 'descriptor';
          this.want = 5;
        } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          this.skippable = true;
          this.contentSize = 0;
          this.phase = 'skippable-size';
          this.want = 8;
        } else {
          throw corrupt('not a zstd frame (bad magic number)');
        }
        return;
      }
      case 'descriptor': {
        const d = f[4]!;
        if (d & 0x08) throw corrupt('reserved bit set in a frame header');
        const singleSegment = (d & 0x20) !== 0;
        const fcsSize = [singleSegment ? 1 : 0, 2, 4, 8][d >> 6]!;
        this.checksum = (d & 0x04) !== 0;
        this.want = 5 + (singleSegment ? 0 : 1) + DICT_ID_SIZE[d & 3]! + fcsSize;
        this.phase = 'header';
        return;
      }
      case 'header': {
        const fcsSize = [(f[4]! & 0x20) !== 0 ? 1 : 0, 2, 4, 8][f[4]! >> 6]!;
        const at = this.want - fcsSize;
        this.contentSize =
          fcsSize === 0 ? undefined
          : fcsSize === 1 ? f[at]!
          : fcsSize === 2 ? f.readUInt16LE(at) + 256
          : fcsSize === 4 ? f.readUInt32LE(at)
          : Number(f.readBigUInt64LE(at));
        this.block();
        return;
      }
      case 'block': {
        const h = f[0]! | (f[1]! << 8) | (f[2]! << 16);
        const type = (h >> 1) & 3;
        if (type === 3) throw corrupt('reserved block type');
        this.phase = (h & 1) !== 0 ? 'checksum' : 'block-body';
        this.have = 0;
        this.want = 0;
        this.skip = type === 1 ? 1 : h >>> 3; // an RLE block stores one byte
        if (this.skip === 0) this.skipped();
        return;
      }
      case 'skippable-size':
        this.have = 0;
        this.want = 0;
        this.skip = f.readUInt32LE(4);
        this.phase = 'skippable-body';
        if (this.skip === 0) this.skipped();
        return;
      default:
        return;
    }
  }

  /** A block's body (or a skippable frame's) has been passed over. */
  private skipped(): void {
    if (this.phase === 'block-body') {
      this.block();
    } else if (this.phase === 'checksum' && this.checksum) {
      this.checksum = false;
      this.skip = 4;
    } else {
      this.phase = 'magic';
      this.have = 0;
      this.want = 4;
    }
  }

  private block(): void {
    this.phase = 'block';
    this.have = 0;
    this.want = 3;
  }
}

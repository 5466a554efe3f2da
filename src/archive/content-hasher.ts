import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createGunzip, type Gunzip } from 'node:zlib';
import { detectCompression, MAGIC_LENGTH, type Compression } from './decompress.js';

/** What is known of a file's content after one pass: its digest and, for layers, its diff_id. */
export interface ContentDigests {
  /** `sha256:<hex>` of the bytes as stored. */
  digest: string;
  size: number;
  compression: Compression;
  /** `sha256:<hex>` of the uncompressed bytes (= digest when not compressed); absent for zstd/bzip2/xz. */
  diffId?: string;
  /** Why the diff_id could not be computed (a corrupt gzip stream). */
  diffIdError?: string;
}

/**
 * Hashes a file's bytes as they stream past, and at the same time the gunzipped bytes when the file starts with
 * gzip's magic, so that every layer's diff_id is known after a single read of the archive.
 */
export class ContentHasher {
  private readonly hash: Hash = createHash('sha256');
  private head: Buffer[] | undefined = [];
  private headLength = 0;
  private size = 0;
  private compression: Compression = 'none';
  private gunzip: Gunzip | undefined;
  private inner: Hash | undefined;
  private innerError: string | undefined;

  async update(chunk: Buffer): Promise<void> {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.head) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < MAGIC_LENGTH) return;
      await this.decide();
      return;
    }
    await this.feed(chunk);
  }

  async digests(): Promise<ContentDigests> {
    if (this.head) await this.decide();
    const digest = `sha256:${this.hash.digest('hex')}`;
    const out: ContentDigests = { digest, size: this.size, compression: this.compression };
    if (this.compression === 'none') out.diffId = digest;
    if (this.gunzip && this.inner) {
      if (!this.innerError) {
        const ended = once(this.gunzip, 'end');
        this.gunzip.end();
        try {
          await ended;
        } catch (err) {
          this.innerError = (err as Error).message;
        }
      }
      if (this.innerError) out.diffIdError = `gzip: ${this.innerError}`;
      else out.diffId = `sha256:${this.inner.digest('hex')}`;
    }
    return out;
  }

  private async decide(): Promise<void> {
    const head = Buffer.concat(this.head ?? []);
    this.head = undefined;
    this.compression = detectCompression(head);
    if (this.compression === 'gzip') {
      const inner = createHash('sha256');
      this.inner = inner;
      this.gunzip = createGunzip();
      this.gunzip.on('data', (c: Buffer) => inner.update(c));
      this.gunzip.on('error', (err) => {
        this.innerError ??= err.message;
      });
    }
    await this.feed(head);
  }

  private async feed(chunk: Buffer): Promise<void> {
    const gz = this.gunzip;
    if (!gz || this.innerError || chunk.length === 0) return;
    if (gz.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        gz.off('drain', done).off('error', done).off('close', done);
        resolve();
      };
      gz.on('drain', done).on('error', done).on('close', done);
    });
  }
}

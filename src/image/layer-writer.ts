import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { zstdCompress } from '../archive/zstd.js';
import { abortable, stopped } from '../util/abort.js';

/** How a new layer is compressed. */
export type LayerCompression = 'gzip' | 'zstd';

/** A layer written to a temp file: its blob digest and size, and the digest of its tar (the config's diff_id). */
export interface BuiltLayer {
  path: string;
  digest: string;
  size: number;
  diffId: string;
  compression: LayerCompression;
}

/**
 * Compresses a tar stream into a temp file in `dir`, hashing the tar (diff_id) and the compressed bytes (digest) as
 * they flow: a layer of any size passes through in chunks (zstd without Node's streaming encoder as frames of
 * archive/zstd.ts ZSTD_CHUNK bytes, a few at once). When
 * `signal` aborts, the tar is destroyed with its reason and the write fails with it (the caller owns `dir`).
 */
export async function writeLayer(tar: Readable, dir: string, compression: LayerCompression, signal?: AbortSignal): Promise<BuiltLayer> {
  const path = join(dir, `layer-${randomBytes(8).toString('hex')}`);
  const diff = createHash('sha256');
  const blob = createHash('sha256');
  const size = { n: 0 };
  const source = abortable(tar, signal);
  try {
    if (compression === 'gzip') {
      await pipeline(source, hashing(diff), createGzip(), hashing(blob, size), createWriteStream(path));
    } else {
      const tapped = source.pipe(hashing(diff));
      source.on('error', (err) => tapped.destroy(err));
      await pipeline(await zstdCompress(tapped), hashing(blob, size), createWriteStream(path));
    }
    signal?.throwIfAborted();
  } catch (err) {
    throw stopped(err, signal);
  }
  return { path, digest: `sha256:${blob.digest('hex')}`, size: size.n, diffId: `sha256:${diff.digest('hex')}`, compression };
}

function hashing(hash: Hash, size?: { n: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      if (size) size.n += chunk.length;
      done(null, chunk);
    },
  });
}

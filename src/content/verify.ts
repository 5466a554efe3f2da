import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { IntegrityError } from '../errors.js';
import { checkedAlgorithm } from '../oci/digest.js';

/**
 * A pass-through stream that hashes and counts what flows and fails (IntegrityError) at the end when the digest
 * or size differs, or as soon as more bytes than expected arrive. Destinations commit only after it ends cleanly.
 */
export class VerifyingStream extends Transform {
  private readonly hash: Hash;
  private readonly expectedDigest: string;
  private readonly expectedSize: number;
  private readonly what: string;
  private seen = 0;
  /** Told the running byte count after each chunk (progress displays). */
  onBytes?: (seen: number) => void;

  constructor(digest: string, size: number, what: string) {
    super();
    this.hash = createHash(checkedAlgorithm(digest, what));
    this.expectedDigest = digest;
    this.expectedSize = size;
    this.what = what;
  }

  /** A check of the rest of a blob whose first bytes are `prefix` (a resumed write): the whole blob is verified. */
  static async resuming(digest: string, size: number, what: string, prefix: AsyncIterable<Buffer>): Promise<VerifyingStream> {
    const check = new VerifyingStream(digest, size, what);
    for await (const chunk of prefix) {
      check.hash.update(chunk);
      check.seen += chunk.length;
    }
    return check;
  }

  /** Does this stream check exactly `desc`? */
  checks(desc: { digest: string; size: number }): boolean {
    return desc.digest === this.expectedDigest && desc.size === this.expectedSize;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.expectedSize) {
      done(new IntegrityError(`${this.what}: size mismatch: more than the expected ${this.expectedSize} bytes`, { code: 'ERR_SIZE_MISMATCH' }));
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(this.seen);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.seen !== this.expectedSize) {
      done(new IntegrityError(`${this.what}: size mismatch: expected ${this.expectedSize} bytes, got ${this.seen}`, { code: 'ERR_SIZE_MISMATCH' }));
      return;
    }
    const actual = `${this.expectedDigest.slice(0, this.expectedDigest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (actual !== this.expectedDigest) {
      done(new IntegrityError(`${this.what}: digest mismatch: expected ${this.expectedDigest}, got ${actual}`, { code: 'ERR_DIGEST_MISMATCH' }));
      return;
    }
    done();
  }
}

/**
 * `stream` checked against `desc` as it flows. A stream that already is that check is returned as it is, so a blob
 * passing source → copy engine → destination is hashed once. Errors of the source end the checked stream; closing
 * the checked stream closes the source. `onBytes` hears the byte count as the check passes chunks on (a listener
 * of its own on the stream would start it flowing before its reader is attached).
 */
export function verified(stream: Readable, desc: { digest: string; size: number }, what: string, onBytes?: (seen: number) => void): Readable {
  if (stream instanceof VerifyingStream && stream.checks(desc)) {
    if (onBytes) stream.onBytes = onBytes;
    return stream;
  }
  const check = new VerifyingStream(desc.digest, desc.size, what);
  if (onBytes) check.onBytes = onBytes;
  stream.on('error', (err) => check.destroy(err)); // .pipe() does not forward source errors
  // A reader that abandons the check (an upload answered early, an error) abandons the source too, so a download
  // behind it does not sit paused on a connection forever.
  check.on('close', () => stream.destroy());
  // The source starts as soon as it is piped: it may fail (a 404, a reset) before the reader attaches (a destination
  // still creating its temp file). The error stays in the stream's state for that reader (pipeline and finished
  // report it); without a listener it would be an unhandled 'error' event that kills the process.
  check.on('error', () => undefined);
  return stream.pipe(check);
}

/**
 * The rest of a blob from byte `offset` on, for a destination that holds (and checks) its beginning: `fetched` as the
 * source gave it, without its first `offset` bytes when the source could not start there (`resumed` false).
 * `onBytes` hears the position in the blob as chunks pass.
 */
export function blobRest(fetched: { stream: Readable; resumed: boolean }, offset: number, onBytes?: (position: number) => void): Readable {
  let skip = fetched.resumed ? 0 : offset;
  let position = offset;
  const rest = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const drop = Math.min(skip, chunk.length);
      skip -= drop;
      if (drop === chunk.length) return done();
      position += chunk.length - drop;
      onBytes?.(position);
      done(null, drop === 0 ? chunk : chunk.subarray(drop));
    },
  });
  fetched.stream.on('error', (err) => rest.destroy(err));
  rest.on('close', () => fetched.stream.destroy());
  return fetched.stream.pipe(rest);
}

import { Readable } from 'node:stream';
import { NetworkError, RegctlError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { header } from '../transport/http.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { isRetryableError, sleep } from '../transport/retry.js';
import { pullScope } from '../transport/scope.js';

const MAX_RESUMES = 5;
/** How a body that broke off mid-stream fails, besides the resets isRetryableError knows. */
const BROKEN_BODY = new Set(['UND_ERR_ABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Bytes a download may hold ahead of its reader before the socket is paused. */
const READ_AHEAD = 256 << 10;

/**
 * A blob as a stream that survives dropped connections: when the body breaks off, the rest is asked for with
 * `Range: bytes=N-` (a server that ignores Range and sends everything again has its first N bytes skipped).
 * The caller verifies digest and size; this only guarantees that bytes arrive once and in order. Chunks are
 * passed on as they arrive (an async iterator over the body would concatenate whatever had queued up).
 */
export function downloadBlob(client: RegistryClient, repository: string, desc: Descriptor, offset = 0): Readable {
  const what = `fetching blob ${desc.digest} from ${client.registry}/${repository}`;
  let position = offset;
  let resumes = 0;
  let body: Readable | undefined;
  let started = false;

  const out = new Readable({
    highWaterMark: READ_AHEAD,
    read() {
      if (!started) {
        started = true;
        void open();
      }
      body?.resume();
    },
    destroy(err, done) {
      body?.destroy();
      done(err);
    },
  });

  async function open(): Promise<void> {
    try {
      const res = await client.request({
        method: 'GET',
        path: `/v2/${repository}/blobs/${desc.digest}`,
        headers: position > 0 ? { range: `bytes=${position}-` } : {},
        scopes: [pullScope(repository)],
        what,
      });
      await client.expect(res, position > 0 ? [200, 206] : [200], 'GET', what);
      if (res.status === 206 && !header(res, 'content-range')?.startsWith(`bytes ${position}-`)) {
        res.body.destroy();
        throw new RegctlError('ERR_BAD_RANGE', `${what}: the registry answered a different range than asked for`);
      }
      if (out.destroyed) {
        // The reader gave up while the request was in flight (the destination failed): undici's body then reports
        // its own destruction as an 'error' that nobody else listens to any more.
        res.body.once('error', () => undefined).destroy();
        return;
      }
      let skip = position > 0 && res.status === 200 ? position : 0; // Range ignored: drop what we already have
      const current = res.body;
      body = current;
      current.on('data', (raw: Buffer) => {
        let chunk = raw;
        if (skip > 0) {
          const n = Math.min(skip, chunk.length);
          skip -= n;
          chunk = chunk.subarray(n);
          if (chunk.length === 0) return;
        }
        position += chunk.length;
        if (!out.push(chunk)) current.pause();
      });
      // A body framed by Content-Length or chunked encoding that ends cleanly is complete by the server's own word:
      // asking again would get the same short blob. Only a body delimited by the connection's close is resumed.
      const framed = header(res, 'content-length') !== undefined || /chunked/i.test(header(res, 'transfer-encoding') ?? '');
      current.once('end', () => {
        if (position >= desc.size || framed) out.push(null); // the caller's size check fails a short one (exit 6)
        else void resume(); // the body ended early without an error: resume like a dropped connection
      });
      current.once('error', (err) => {
        if (isRetryableError(err) || BROKEN_BODY.has((err as { code?: string }).code ?? '')) void resume();
        else out.destroy(err);
      });
    } catch (err) {
      out.destroy(err as Error);
    }
  }

  async function resume(): Promise<void> {
    body?.removeAllListeners('data').on('error', () => undefined).destroy();
    body = undefined;
    if (out.destroyed) return;
    if (resumes >= MAX_RESUMES) {
      out.destroy(new NetworkError(`${what}: connection dropped ${resumes + 1} times; giving up at byte ${position}`));
      return;
    }
    await sleep(100 * 2 ** resumes++);
    if (!out.destroyed) await open();
  }

  return out;
}

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

/**
 * A blob as a stream that survives dropped connections: when the body breaks off, the rest is asked for with
 * `Range: bytes=N-` (a server that ignores Range and sends everything again has its first N bytes skipped).
 * The caller verifies digest and size; this only guarantees that bytes arrive once and in order.
 */
export function downloadBlob(client: RegistryClient, repository: string, desc: Descriptor, offset = 0): Readable {
  const what = `fetching blob ${desc.digest} from ${client.registry}/${repository}`;
  async function* chunks(): AsyncGenerator<Buffer> {
    let position = offset;
    for (let resumes = 0; ; resumes++) {
      const res = await client.request({
        method: 'GET',
        path: `/v2/${repository}/blobs/${desc.digest}`,
        headers: position > 0 ? { range: `bytes=${position}-` } : {},
        scopes: [pullScope(repository)],
        what,
      });
      await client.expect(res, position > 0 ? [200, 206] : [200], 'GET', what);
      let skip = position > 0 && res.status === 200 ? position : 0; // Range ignored: drop what we already have
      if (res.status === 206 && !header(res, 'content-range')?.startsWith(`bytes ${position}-`)) {
        res.body.destroy();
        throw new RegctlError('ERR_BAD_RANGE', `${what}: the registry answered a different range than asked for`);
      }
      try {
        for await (const raw of res.body) {
          let chunk = raw as Buffer;
          if (skip > 0) {
            const n = Math.min(skip, chunk.length);
            skip -= n;
            chunk = chunk.subarray(n);
            if (chunk.length === 0) continue;
          }
          position += chunk.length;
          yield chunk;
        }
        if (position >= desc.size) return;
        // The body ended early without an error: resume like a dropped connection.
      } catch (err) {
        if (!isRetryableError(err) && !BROKEN_BODY.has((err as { code?: string }).code ?? '')) throw err;
      }
      if (resumes >= MAX_RESUMES) throw new NetworkError(`${what}: connection dropped ${resumes + 1} times; giving up at byte ${position}`);
      await sleep(100 * 2 ** resumes);
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

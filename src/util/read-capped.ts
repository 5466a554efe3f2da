import { RegctlError } from '../errors.js';

/** Reads a stream into memory with a cap (manifests, tokens, error documents, a password on stdin). */
export async function readCapped(stream: AsyncIterable<Buffer | string> & { destroy(): void }, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > limit) {
      stream.destroy();
      throw new RegctlError('ERR_TOO_LARGE', `${what} is larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

// Small byte helpers every test shares: digests and whole-stream reads.
import { createHash } from 'node:crypto';

/** `sha256:<hex>` of the bytes. */
export const sha256 = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A descriptor for bytes. */
export const descOf = (bytes: Buffer, mediaType: string): { mediaType: string; digest: string; size: number } =>
  ({ mediaType, digest: sha256(bytes), size: bytes.length });

/** Everything a stream yields, as one buffer. */
export async function readAll(s: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

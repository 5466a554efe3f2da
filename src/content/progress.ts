import type { BlobPushResult } from './target.js';

/**
 * What a copy reports, each event naming the image (the source's description) it belongs to: the plan (every blob
 * the copy will consider, before any moves), bytes moved, and each blob finished.
 */
export type CopyProgress =
  | { kind: 'plan'; image: string; blobs: Array<{ digest: string; size: number }> }
  | { kind: 'bytes'; image: string; digest: string; size: number; done: number }
  | { kind: 'blob'; image: string; digest: string; size: number; result: BlobPushResult | 'skipped' };

import type { CopyResult } from '../content/copy.js';
import { record } from '../template/template.js';
import { humanSize } from './bytes.js';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** A dry run's line (stdout): what the copy would send, or that the destination is up to date. */
export function copyPlanLine(source: string, destination: string, result: CopyResult): string {
  const what = `${plural(result.blobs.pushed, 'blob')} and ${plural(result.manifests, 'manifest')}`;
  return `would copy ${source} -> ${destination} (${result.digest}): ${result.unchanged ? 'nothing, up to date' : `${what}, ${humanSize(result.blobs.bytes)} to send`}\n`;
}

/** The summary of a copy made (stderr): bytes sent, blobs pushed, mounted and already there. */
export function copySummary(result: CopyResult): string {
  const { pushed, mounted, skipped, bytes } = result.blobs;
  return `sent ${humanSize(bytes)}: ${plural(pushed, 'blob')} pushed, ${mounted} mounted, ${skipped} already there\n`;
}

/**
 * What a `--format` template sees of a copy: `Digest` (written), `SourceDigest`, `MediaType`, `Size` (of the top
 * manifest), `Unchanged`, `Blobs` (`Pushed`, `Mounted`, `Skipped`, `Bytes`), `Manifests`.
 */
export function copyData(result: CopyResult): object {
  const { pushed, mounted, skipped, bytes } = result.blobs;
  return record({
    Digest: result.digest,
    SourceDigest: result.sourceDigest,
    MediaType: result.mediaType,
    Size: result.top.size,
    Unchanged: result.unchanged,
    Blobs: record({ Pushed: pushed, Mounted: mounted, Skipped: skipped, Bytes: bytes }, 'BlobCounts'),
    Manifests: result.manifests,
  }, 'CopyResult');
}

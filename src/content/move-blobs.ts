import type { Descriptor } from '../oci/manifest.js';
import { AbortGroup, stopped } from '../util/abort.js';
import type { CopyProgress } from './progress.js';
import type { CopySession } from './session.js';
import type { BlobPushResult, BlobSource, DestinationTarget, SourceTarget } from './target.js';
import { blobRest, verified } from './verify.js';

export interface BlobCounts {
  pushed: number;
  mounted: number;
  skipped: number;
  /** Bytes sent (pushed blobs only; mounts and skips send nothing). */
  bytes: number;
}

/**
 * Moves the blobs the destination lacks, under the session's limit: each is asked about first (HEAD), then mounted
 * or streamed through a digest+size check. A blob another copy of the session is already sending is waited for.
 * When `signal` aborts, the blobs in flight are destroyed with its reason (the destination drops what it was
 * writing), none is started after, and the move fails with the reason.
 */
export async function moveBlobs(
  src: SourceTarget, dst: DestinationTarget, blobs: Descriptor[], session: CopySession, report?: (e: CopyProgress) => void, signal?: AbortSignal,
): Promise<BlobCounts> {
  const counts: BlobCounts = { pushed: 0, mounted: 0, skipped: 0, bytes: 0 };
  const image = src.description;
  const inFlight = new AbortGroup(signal);
  const move = async (desc: Descriptor, mountFrom: BlobSource | undefined): Promise<BlobPushResult | 'skipped'> => {
    signal?.throwIfAborted();
    // A blob this session put into another repository of the registry is mounted at once (no HEAD first).
    if (!mountFrom && (await dst.hasBlob(desc))) return 'skipped';
    // open(offset > 0): the rest of a blob whose beginning the destination holds and checks (see pushBlob).
    const open = async (offset = 0) => {
      signal?.throwIfAborted();
      const fetched = await src.fetchBlob(desc, offset);
      const onBytes = report && ((done: number) => report({ kind: 'bytes', image, digest: desc.digest, size: desc.size, done }));
      if (offset > 0) return inFlight.add(blobRest(fetched, offset, onBytes));
      return inFlight.add(verified(fetched.stream, desc, `blob ${desc.digest} from ${src.description}`, onBytes));
    };
    return dst.pushBlob(desc, open, mountFrom ?? src.blobSource);
  };
  let failure: { error: unknown } | undefined;
  await Promise.all(blobs.map(async (desc) => {
    try {
      const how = session.holds(dst).has(desc.digest)
        ? 'skipped'
        : await session.once(dst, desc.digest, async () => {
          const mountFrom = await session.mountSource(dst, desc.digest); // waited for outside the limit: no deadlock
          return session.blobs.run(async () => (failure ? undefined : move(desc, mountFrom)));
        });
      if (how === undefined) return; // another blob failed first: this one was never started
      if (how === 'mounted') counts.mounted++;
      else if (how === 'pushed') {
        counts.pushed++;
        counts.bytes += desc.size;
      } else counts.skipped++;
      report?.({ kind: 'blob', image, digest: desc.digest, size: desc.size, result: how });
    } catch (error) {
      failure ??= { error };
    }
  }));
  inFlight.close(); // every blob has settled: the map above catches each one's failure
  if (failure) throw stopped(failure.error, signal);
  return counts;
}

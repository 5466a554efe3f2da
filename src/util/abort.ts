import type { Stream } from 'node:stream';

/**
 * Cancellation of local work (files, archives, compression) as the transport cancels requests: a stage watching the
 * caller's signal destroys the streams it has open with the signal's reason as soon as it aborts, checks the signal
 * between files and blobs, and fails with that reason, not with what the torn stream caused further down (an
 * "archive is corrupt", an entry closed early) — so the library's door reports a cancellation (or a deadline's error).
 */

/** `err`, or the signal's reason when the signal has aborted: what a stage rethrows from its catch. */
export function stopped(err: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? signal.reason : err;
}

/** `stream`, destroyed with the signal's reason when it aborts (at once when it has). Its listener goes with the stream. */
export function abortable<S extends Stream>(stream: S, signal: AbortSignal | undefined): S {
  if (!signal) return stream;
  if (signal.aborted) return destroy(stream, signal.reason);
  const onAbort = () => destroy(stream, signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  stream.once('close', () => signal.removeEventListener('abort', onAbort));
  return stream;
}

/**
 * Streams that run side by side (blobs in flight), destroyed together when the signal aborts: one listener on the
 * signal however many come and go, so a caller's signal never collects one per blob. {@link close} removes it.
 */
export class AbortGroup {
  private readonly open = new Set<Stream>();
  private readonly onAbort = () => {
    for (const s of this.open) destroy(s, this.signal!.reason);
  };

  constructor(private readonly signal: AbortSignal | undefined) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  add<S extends Stream>(stream: S): S {
    if (!this.signal) return stream;
    if (this.signal.aborted) return destroy(stream, this.signal.reason);
    this.open.add(stream);
    stream.once('close', () => this.open.delete(stream));
    return stream;
  }

  close(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
    this.open.clear();
  }
}

function destroy<S extends Stream>(stream: S, reason: unknown): S {
  (stream as unknown as { destroy(err?: unknown): void }).destroy(reason);
  return stream;
}

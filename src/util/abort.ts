/**
 * Cancellation of local work (files, archives, compression) as the transport cancels requests: a stage watching the
 * caller's signal destroys the streams it has open with the signal's reason as soon as it aborts, checks the signal
 * between files and blobs, and fails with that reason, not with what the torn stream caused further down (an
 * "archive is corrupt", an entry closed early) — so the library's door reports a cancellation (or a deadline's error).
 */

/** What a stage stops: a node stream, or a streamx one (tar-stream's packs and extracts). */
interface Destroyable {
  destroy(err?: Error): unknown;
  once(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** `err`, or the signal's reason when the signal has aborted: what a stage rethrows from its catch. */
export function stopped(err: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? signal.reason : err;
}

/** `stream`, destroyed with the signal's reason when it aborts (at once when it has). Its listener goes with the stream. */
export function abortable<S extends Destroyable>(stream: S, signal: AbortSignal | undefined): S {
  if (!signal) return stream;
  const group = new AbortGroup(signal);
  stream.once('close', () => group.close());
  return group.add(stream);
}

/**
 * Streams that run side by side (blobs in flight), destroyed together when the signal aborts: one listener on the
 * signal however many come and go, so a caller's signal never collects one per blob. {@link close} removes it.
 */
export class AbortGroup {
  private readonly open = new Set<Destroyable>();
  private readonly onAbort = () => {
    for (const s of this.open) destroy(s, this.signal!.reason);
  };

  constructor(private readonly signal: AbortSignal | undefined) {
    if (signal && !signal.aborted) signal.addEventListener('abort', this.onAbort, { once: true });
  }

  add<S extends Destroyable>(stream: S): S {
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

/**
 * Destroys `stream` with the signal's reason. A stream may be aborted before its reader is attached (a file opened
 * as the signal fires): the reason stays in its state for that reader (pipeline and finished report it), and the
 * 'error' event, which would have no listener yet, does not bring the process down.
 */
function destroy<S extends Destroyable>(stream: S, reason: unknown): S {
  stream.on('error', () => undefined);
  stream.destroy(reason as Error);
  return stream;
}

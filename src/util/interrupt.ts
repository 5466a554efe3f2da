/**
 * What must be undone if the process is stopped mid-transfer (Ctrl-C, SIGTERM, a closed stdout): temp files
 * turned into resumable partials or removed, leases dropped. The library registers a synchronous undo for each
 * such thing while it exists and unregisters it when done; only the CLI's entry, which owns the process, calls
 * {@link runInterruptCleanups} before it exits. Undos are synchronous because the process exits right after.
 */
const pending = new Set<() => void>();

/** Registers `undo`; returns the function that unregisters it (call it once the thing is committed or gone). */
export function onInterrupt(undo: () => void): () => void {
  pending.add(undo);
  return () => pending.delete(undo);
}

/** Runs every registered undo once (newest first), ignoring their errors. */
export function runInterruptCleanups(): void {
  const undos = [...pending].reverse();
  pending.clear();
  for (const undo of undos) {
    try {
      undo();
    } catch {
      // best effort: the next run sweeps what is left (see store/sweep.ts)
    }
  }
}

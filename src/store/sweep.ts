import { join } from 'node:path';
import { oldestLiveLease } from './lease.js';
import { sweepDeadTemps } from './partial.js';

/**
 * What processes that died mid-transfer (kill -9, a crash, a power cut) left in a layout, dealt with at once rather
 * than after an hour: temp blobs of dead pids become resumable partials (or go), leases of dead pids are removed.
 * Runs when a layout is opened for writing; harmless alongside live transfers (it only touches dead pids' files).
 */
export async function sweepDead(layoutDir: string): Promise<void> {
  await sweepDeadTemps(join(layoutDir, 'blobs'));
  await oldestLiveLease(layoutDir);
}

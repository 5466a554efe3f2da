import { readFile } from 'node:fs/promises';
import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { MAX_MANIFEST_BYTES } from '../util/limits.js';
import { readCapped } from '../util/read-capped.js';

/** A small document from `-f FILE`, or stdin for `-` (refused when stdin is a terminal: nothing would come). */
export async function readInput(env: CommandEnv, file: string, what: string): Promise<Buffer> {
  if (file !== '-') {
    return readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the ${what} from ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
  }
  if (env.io.stdin.isTTY) throw new UsageError(`give the ${what} on stdin or with -f FILE`);
  return readCapped(env.io.stdin as AsyncIterable<Buffer> & { destroy(): void }, MAX_MANIFEST_BYTES, what);
}

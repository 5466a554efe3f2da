import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { tagsForDigest } from '../ops/tags-for-digest.js';
import { renderList } from '../output/list.js';
import { parseRepository } from '../ref/parse.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

/** Every tag of a repository; with `--digest`, those pointing at that digest (a HEAD per tag; progress on a terminal). */
export async function tagsCommand(env: CommandEnv, repository: string, flags: CredentialFlags & { format: 'text' | 'json'; digest?: string }): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseRepository(repository).registry]);
  if (flags.digest === undefined) {
    env.io.stdout.write(renderList(await tags(ctx, repository), flags.format));
    return;
  }
  const stderr = env.io.stderr;
  const onProgress = stderr.isTTY ? (done: number, total: number) => stderr.write(`\rchecked ${done}/${total} tags`) : undefined;
  try {
    env.io.stdout.write(renderList(await tagsForDigest(ctx, repository, flags.digest, onProgress ? { onProgress } : {}), flags.format));
  } finally {
    if (onProgress) stderr.write('\r\x1b[K');
  }
}

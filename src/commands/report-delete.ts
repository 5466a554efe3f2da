import type { CommandEnv } from './command-env.js';
import type { ManifestDeleteResult } from '../ops/delete.js';
import type { Reference } from '../ref/reference.js';

/** `Untagged:` for each tag that went with the manifest, `Deleted: DIGEST`, and how many tags that was on stderr. */
export function reportManifestDelete(env: CommandEnv, ref: Reference, result: ManifestDeleteResult): void {
  for (const tag of result.tags) env.io.stdout.write(`Untagged: ${ref.registry}/${ref.repository}:${tag}\n`);
  env.io.stdout.write(`Deleted: ${result.digest}\n`);
  const n = result.tags.length;
  env.warn(`${n === 0 ? 'no tag' : n === 1 ? '1 tag' : `${n} tags`} pointed at ${result.digest}${n ? ' and went with it' : ''}`);
}

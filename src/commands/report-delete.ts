import type { CommandEnv } from './command-env.js';
import type { ManifestDeleteResult } from '../api/verbs.js';
import { renderRemoved, type ResultFormat } from '../output/verb-results.js';
import type { Reference } from '../ref/reference.js';

/**
 * A manifest deleted (delete and manifest delete REPO@DIGEST): `Untagged:` for each tag that went with it and
 * `Deleted: DIGEST` (or `--format`'s rendering of `json`), and how many tags that was on stderr.
 */
export function reportManifestDelete(env: CommandEnv, ref: Reference, result: ManifestDeleteResult, format: ResultFormat, json: unknown = result): void {
  const removed = { kind: 'manifest' as const, repository: `${ref.registry}/${ref.repository}`, digest: result.digest, tags: result.tags, method: '' };
  env.io.stdout.write(renderRemoved(format, removed, json));
  const n = result.tags.length;
  env.warn(`${n === 0 ? 'no tag' : n === 1 ? '1 tag' : `${n} tags`} pointed at ${result.digest}${n ? ' and went with it' : ''}`);
}

import type { CommandEnv } from './command-env.js';
import { tag } from '../ops/local.js';
import { tags } from '../ops/list.js';
import { untag } from '../ops/untag.js';
import { renderList } from '../output/list.js';
import { parseReference, parseRepository } from '../ref/parse.js';
import { credentialContext, type CredentialFlags } from './credentials.js';
import { throwFailures } from './failures.js';

/** `tag SOURCE TARGET`: another name for a local image. */
export async function tagCommand(env: CommandEnv, source: string, target: string): Promise<void> {
  await tag(await env.context(), source, target);
}

/** `tag ls REPO`: the tags of a registry repository, less those excluded. */
export async function tagLsCommand(env: CommandEnv, repository: string, flags: CredentialFlags & { exclude?: string[]; omitDigestTags?: boolean; format: 'text' | 'json' }): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseRepository(repository).registry]);
  const list = await tags(ctx, repository, { ...(flags.exclude ? { exclude: flags.exclude } : {}), ...(flags.omitDigestTags ? { omitDigestTags: true } : {}) });
  env.io.stdout.write(renderList(list, flags.format));
}

/** `tag rm REPO:TAG...`: each tag removed alone (its image and other tags stay); every one is tried and reported. */
export async function tagRmCommand(env: CommandEnv, images: string[], flags: CredentialFlags & { dryRun?: boolean }): Promise<void> {
  const ctx = await credentialContext(env, flags, [...new Set(images.map((i) => parseReference(i).registry))]);
  const failures: unknown[] = [];
  for (const image of images) {
    try {
      const r = await untag(ctx, image, flags.dryRun ? { dryRun: true } : {});
      env.io.stdout.write(flags.dryRun ? `Would untag: ${r.name} (${r.digest})\n` : `Untagged: ${r.name}\n`);
    } catch (err) {
      failures.push(err);
    }
  }
  throwFailures(env.warn, failures);
}

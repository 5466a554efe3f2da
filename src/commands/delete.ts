import type { CommandEnv } from './command-env.js';
import { deleteImage, type ManifestDeleteResult } from '../ops/delete.js';
import { parseReference } from '../ref/parse.js';
import type { Reference } from '../ref/reference.js';
import { credentialContext, type CredentialFlags } from './credentials.js';

export async function deleteCommand(env: CommandEnv, image: string, flags: CredentialFlags): Promise<void> {
  const ref = parseReference(image);
  const ctx = await credentialContext(env, flags, [ref.registry]);
  const result = await deleteImage(ctx, image);
  if (result.kind === 'tag') env.io.stdout.write(`Untagged: ${result.untagged.name}\n`);
  else reportManifestDelete(env, ref, result);
}

/** `Untagged:` for each tag that went with the manifest, `Deleted: DIGEST`, and how many tags that was on stderr. */
export function reportManifestDelete(env: CommandEnv, ref: Reference, result: ManifestDeleteResult): void {
  for (const tag of result.tags) env.io.stdout.write(`Untagged: ${ref.registry}/${ref.repository}:${tag}\n`);
  env.io.stdout.write(`Deleted: ${result.digest}\n`);
  const n = result.tags.length;
  env.warn(`${n === 0 ? 'no tag' : n === 1 ? '1 tag' : `${n} tags`} pointed at ${result.digest}${n ? ' and went with it' : ''}`);
}

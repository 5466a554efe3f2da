import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { transferRegistries } from '../ops/credentials.js';
import { manifestDelete } from '../ops/delete.js';
import { manifestGet, manifestHead, manifestPut } from '../ops/manifest.js';
import { defaultDocumentFormat, renderDescriptor, renderDocument } from '../output/document.js';
import { parseReference } from '../ref/parse.js';
import { credentialContext, type CredentialFlags } from './credentials.js';
import { readInput } from './input.js';
import { reportManifestDelete } from './delete.js';

export async function manifestGetCommand(env: CommandEnv, image: string, flags: CredentialFlags & { platform?: string; format?: string; raw?: boolean }): Promise<void> {
  const format = defaultDocumentFormat(flags, env.io.stdout.isTTY);
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const ctx = await credentialContext(env, flags, transferRegistries(image));
  const got = await manifestGet(ctx, image, platform ? { platform } : {});
  env.io.stdout.write(renderDocument(got.bytes, format));
}

export async function manifestHeadCommand(env: CommandEnv, image: string, flags: CredentialFlags & { format: 'text' | 'json' }): Promise<void> {
  const ctx = await credentialContext(env, flags, transferRegistries(image));
  env.io.stdout.write(renderDescriptor(await manifestHead(ctx, image), flags.format));
}

export async function manifestPutCommand(env: CommandEnv, image: string, flags: CredentialFlags & { file?: string; contentType?: string; force?: boolean }): Promise<void> {
  const ref = parseReference(image);
  const bytes = await readInput(env, flags.file ?? '-', 'manifest');
  const ctx = await credentialContext(env, flags, [ref.registry]);
  const desc = await manifestPut(ctx, image, bytes, { ...(flags.contentType ? { mediaType: flags.contentType } : {}), ...(flags.force ? { force: true } : {}) });
  env.io.stdout.write(`${desc.digest}\n`);
}

export async function manifestDeleteCommand(env: CommandEnv, image: string, flags: CredentialFlags): Promise<void> {
  const ref = parseReference(image);
  const ctx = await credentialContext(env, flags, [ref.registry]);
  reportManifestDelete(env, ref, await manifestDelete(ctx, image));
}

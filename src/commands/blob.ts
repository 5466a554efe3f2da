import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { blobDelete, blobGet, blobHead, blobPut } from '../ops/blob.js';
import { transferRegistries } from '../ops/credentials.js';
import { renderDescriptor } from '../output/document.js';
import { parseReference } from '../ref/parse.js';
import { atomicWriteStream } from '../util/atomic-write.js';
import { checkOutputFile } from '../util/output-file.js';
import { credentialContext, type CredentialFlags } from './credentials.js';
import { pipeline } from 'node:stream/promises';

export async function blobGetCommand(env: CommandEnv, location: string, digest: string | undefined, flags: CredentialFlags & { output?: string }): Promise<void> {
  if (!flags.output && env.io.stdout.isTTY) throw new UsageError('refusing to write a blob to a terminal', { hint: 'use -o FILE or redirect stdout' });
  if (flags.output) await checkOutputFile(flags.output);
  const ctx = await credentialContext(env, flags, transferRegistries(location));
  const { stream } = await blobGet(ctx, location, digest);
  if (flags.output) await atomicWriteStream(flags.output, stream);
  else await pipeline(stream, env.io.stdout, { end: false });
}

export async function blobHeadCommand(env: CommandEnv, location: string, digest: string | undefined, flags: CredentialFlags & { format: 'text' | 'json' }): Promise<void> {
  const ctx = await credentialContext(env, flags, transferRegistries(location));
  env.io.stdout.write(renderDescriptor(await blobHead(ctx, location, digest), flags.format));
}

export async function blobPutCommand(env: CommandEnv, repository: string, flags: CredentialFlags & { file?: string }): Promise<void> {
  const file = flags.file ?? '-';
  if (file === '-' && env.io.stdin.isTTY) throw new UsageError('give the blob on stdin or with -f FILE');
  const ctx = await credentialContext(env, flags, [parseReference(repository).registry]);
  const put = await blobPut(ctx, repository, file === '-' ? { stream: env.io.stdin } : { path: file });
  env.io.stdout.write(`${put.digest}\n`);
}

export async function blobDeleteCommand(env: CommandEnv, location: string, digest: string | undefined, flags: CredentialFlags): Promise<void> {
  const ctx = await credentialContext(env, flags, [parseReference(location).registry]);
  await blobDelete(ctx, location, digest);
  env.io.stdout.write(`Deleted: ${digest ?? parseReference(location).digest}\n`);
}

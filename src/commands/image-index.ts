import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { transferRegistries } from '../ops/credentials.js';
import { indexAdd, indexCreate, indexRemove, type IndexResult } from '../ops/image-index.js';
import { parseAnnotations } from './annotations.js';
import { credentialContext, type CredentialFlags } from './credentials.js';
import { withTransfer, type TransferFlags } from './transfer.js';

interface IndexFlags extends CredentialFlags, TransferFlags {
  annotation?: string[];
  platform?: string[];
}

export async function indexCreateCommand(env: CommandEnv, destination: string, images: string[], flags: IndexFlags & { format?: 'oci' | 'docker' }): Promise<void> {
  const ctx = await credentialContext(env, flags, [destination, ...images].flatMap(transferRegistries));
  const opts = { ...common(flags), ...(flags.format ? { format: flags.format } : {}) };
  print(env, await withTransfer(env, flags, `Building ${destination}`, (t) => indexCreate(ctx, destination, images, { ...opts, ...t })));
}

export async function indexAddCommand(env: CommandEnv, index: string, images: string[], flags: IndexFlags & { tag?: string }): Promise<void> {
  const ctx = await credentialContext(env, flags, [index, ...images].flatMap(transferRegistries));
  const opts = { ...common(flags), ...(flags.tag ? { tag: flags.tag } : {}) };
  print(env, await withTransfer(env, flags, `Adding to ${index}`, (t) => indexAdd(ctx, index, images, { ...opts, ...t })));
}

export async function indexRemoveCommand(env: CommandEnv, index: string, flags: CredentialFlags & { platform?: string[]; digest?: string[]; tag?: string }): Promise<void> {
  const platforms = (flags.platform ?? []).map(parsePlatform);
  const ctx = await credentialContext(env, flags, transferRegistries(index));
  print(env, await indexRemove(ctx, index, { platforms, digests: flags.digest ?? [] }, flags.tag ? { tag: flags.tag } : {}));
}

function common(flags: IndexFlags) {
  const annotations = parseAnnotations(flags.annotation ?? []);
  const platforms = (flags.platform ?? []).flatMap((p) => p.split(',')).filter((p) => p.trim()).map(parsePlatform);
  return { ...(Object.keys(annotations).length ? { annotations } : {}), ...(platforms.length ? { platforms } : {}) };
}

/** The new index's digest on stdout (what `copy` prints), its entries on stderr. */
function print(env: CommandEnv, result: IndexResult): void {
  env.io.stdout.write(`${result.digest}\n`);
  env.warn(`${result.name}: ${result.manifests.length} ${result.manifests.length === 1 ? 'entry' : 'entries'}`);
}

import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import type { CredentialOptions } from '../ops/credentials.js';
import { indexAdd, indexCreate, indexRemove, type IndexResult } from '../ops/image-index.js';
import { keyValues } from './key-values.js';
import { platformList } from './platforms.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import { withTransfer } from './transfer.js';
import type { Command } from '@commander-js/extra-typings';

const buildCreate = (cmd: Command, locations: string) => cmd
  .argument('<destination>', 'where the index goes: REPO:TAG, oci:DIR:REF or local:IMAGE')
  .argument('<image...>', `images (or indexes) to list: ${locations}`)
  .addOption(cmd.createOption('--format <format>', 'OCI image index or Docker manifest list').choices(['oci', 'docker'] as const).default('oci' as const))
  .option('--platform <os/arch[/variant]>', 'take only these platforms out of the images (repeatable, or a,b)', collect, [] as string[])
  .option('--annotation <key=value>', 'annotation of the index (repeatable)', collect, [] as string[])
  .option('-j, --jobs <n>', 'blobs copied at once (default 8)')
  .option('-q, --quiet', 'no progress on stderr');

const create = defineCommand({
  name: 'create',
  summary: 'build a multi-platform index from images anywhere (copied or mounted into its repository first); prints its digest',
  registry: 'one',
  peers: 'docker buildx imagetools create; crane index append; regclient index create',
  build: buildCreate,
  async action(env: CommandEnv, destination: string, images: string[], flags: FlagsOf<typeof buildCreate, 'one'>) {
    const [ctx, credentials] = [await env.context(), await credentialOptions(env, flags)];
    print(env, await withTransfer(env, flags, `Building ${destination}`, (t) => indexCreate(ctx, destination, images, { ...common(flags), format: flags.format, ...t, ...both(credentials) })));
  },
});

const buildAdd = (cmd: Command, locations: string) => cmd
  .argument('<index>', 'the index to add to: REPO:TAG (or oci:DIR:REF, local:IMAGE)')
  .argument('<image...>', `images (or indexes) to add: ${locations}`)
  .option('-t, --tag <tag>', 'write the new index under this tag of the repository instead')
  .option('--platform <os/arch[/variant]>', 'take only these platforms out of the images (repeatable, or a,b)', collect, [] as string[])
  .option('--annotation <key=value>', 'annotation of the index (repeatable)', collect, [] as string[])
  .option('-j, --jobs <n>', 'blobs copied at once (default 8)')
  .option('-q, --quiet', 'no progress on stderr');

const add = defineCommand({
  name: 'add',
  summary: 'write a new index with more images in it (to its tag or -t NEW); prints its digest',
  registry: 'one',
  peers: 'crane index append; regclient index add; docker buildx imagetools create --append',
  build: buildAdd,
  async action(env: CommandEnv, index: string, images: string[], flags: FlagsOf<typeof buildAdd, 'one'>) {
    const [ctx, credentials] = [await env.context(), await credentialOptions(env, flags)];
    print(env, await withTransfer(env, flags, `Adding to ${index}`, (t) => indexAdd(ctx, index, images, { ...common(flags), ...(flags.tag ? { tag: flags.tag } : {}), ...t, ...both(credentials) })));
  },
});

const buildRemove = (cmd: Command) => cmd
  .argument('<index>', 'the index to remove from: REPO:TAG (or oci:DIR:REF, local:IMAGE)')
  .option('--platform <os/arch[/variant]>', 'remove this platform\'s entries (repeatable)', collect, [] as string[])
  .option('--digest <digest>', 'remove the entry of this digest (repeatable)', collect, [] as string[])
  .option('-t, --tag <tag>', 'write the new index under this tag of the repository instead');

const remove = defineCommand({
  name: 'remove',
  summary: 'write a new index without some platforms or digests (to its tag or -t NEW); prints its digest',
  registry: 'one',
  peers: 'crane index filter; regclient index delete',
  build: buildRemove,
  async action(env: CommandEnv, index: string, flags: FlagsOf<typeof buildRemove, 'one'>) {
    const credentials = await credentialOptions(env, flags);
    const what = { platforms: flags.platform.map(parsePlatform), digests: flags.digest };
    print(env, await indexRemove(await env.context(), index, what, { ...(flags.tag ? { tag: flags.tag } : {}), credentials }));
  },
});

/** The command's one set of credentials for the images read and the index written (the same object: one context). */
const both = (credentials: CredentialOptions) => ({ sourceCredentials: credentials, destinationCredentials: credentials });

function common(flags: { platform: string[]; annotation: string[] }) {
  const platforms = platformList(flags.platform);
  return { annotations: keyValues(flags.annotation, '--annotation'), ...(platforms.length ? { platforms } : {}) };
}

/** The new index's digest on stdout (what copy prints), where it went and its size on stderr. */
function print(env: CommandEnv, result: IndexResult): void {
  env.io.stdout.write(`${result.digest}\n`);
  env.warn(`${result.name}: ${result.manifests.length} ${result.manifests.length === 1 ? 'entry' : 'entries'}`);
}

/** The `index` command (this file is not index.ts: that name lists the commands). */
export default defineCommand({
  name: 'index',
  summary: 'create a multi-platform index, or add images to / remove them from one',
  registry: 'none',
  build: (cmd: Command) => cmd,
  subcommands: [create, add, remove],
});

import type { CommandEnv } from './command-env.js';
import type { CredentialOptions } from '../api/credentials.js';
import { indexAdd, indexCreate, indexRemove, type IndexResult } from '../api/verbs.js';
import { renderIndex, resultFormat, resultFormatHelp, type ResultFormat } from '../output/verb-results.js';
import { keyValues } from './key-values.js';
import { platformNames } from './platforms.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import { withTransfer } from './transfer.js';
import type { Command } from '@commander-js/extra-typings';

const FORMAT_HELP = resultFormatHelp('the new index\'s digest', '{{.Digest}} {{len .Manifests}}');
const MANIFEST_FORMATS = ['oci', 'docker'] as const;
/** The library options each flag is for, where the names differ (errors name the flag). */
const FLAGS = { annotations: '--annotation', digests: '--digest' };

const buildCreate = (cmd: Command, locations: string) => cmd
  .argument('<destination>', 'where the index goes: REPO:TAG, oci:DIR:REF or local:IMAGE')
  .argument('<image...>', `images (or indexes) to list: ${locations}`)
  .addOption(cmd.createOption('--manifest-format <format>', 'OCI image index or Docker manifest list (OCI images converted to Docker manifests; zstd layers refused)').choices(MANIFEST_FORMATS).default('oci' as const))
  .option('--format <format>', FORMAT_HELP)
  .option('--platform <os/arch[/variant]>', 'take only these platforms out of the images (repeatable, or a,b)', collect, [] as string[])
  .option('--annotation <key=value>', 'annotation of the index (repeatable)', collect, [] as string[])
  .option('--allow-duplicates', 'list the same image twice, or two images of one platform (refused otherwise)')
  .option('-j, --jobs <n>', 'blobs copied at once (default 8)')
  .option('-q, --quiet', 'no progress on stderr');

const create = defineCommand({
  name: 'create',
  summary: 'build a multi-platform index from images anywhere (copied or mounted into its repository first); prints its digest',
  registry: 'one',
  peers: 'docker buildx imagetools create; crane index append; regclient index create',
  examples: [
    ['regctl index create localhost:5000/app:1.0 localhost:5000/app:1.0-amd64 localhost:5000/app:1.0-arm64', 'builds a two-platform index from two single-platform images'],
    ['regctl index create --platform linux/amd64 --platform linux/arm64 registry.example.com/mirror/alpine:3.20 alpine:3.20', 'an index of only two of alpine\'s platforms, its images copied into the mirror'],
    ['regctl index create --manifest-format docker oci:./out:app localhost:5000/app:amd64 localhost:5000/app:arm64', 'writes a Docker manifest list into an OCI layout, converting OCI images to Docker manifests'],
  ],
  build: buildCreate,
  flags: FLAGS,
  async action(env: CommandEnv, destination: string, images: string[], flags: FlagsOf<typeof buildCreate, 'one'>) {
    // `--format oci|docker` was the manifest format before --manifest-format: still understood, with a warning.
    const legacy = (MANIFEST_FORMATS as readonly string[]).includes(flags.format ?? '') ? flags.format as (typeof MANIFEST_FORMATS)[number] : undefined;
    if (legacy) env.warn(`--format ${legacy} is deprecated: use --manifest-format ${legacy} (--format is how to print)`);
    const format = resultFormat(legacy ? undefined : flags.format);
    const opts = { context: await env.context(), ...common(flags), manifestFormat: legacy ?? flags.manifestFormat, ...both(await credentialOptions(env, flags)) };
    print(env, format, await withTransfer(env, flags, `Building ${destination}`, (t) => indexCreate(destination, images, { ...opts, ...t })));
  },
});

const buildAdd = (cmd: Command, locations: string) => cmd
  .argument('<index>', 'the index to add to: REPO:TAG (or oci:DIR:REF, local:IMAGE)')
  .argument('<image...>', `images (or indexes) to add: ${locations}`)
  .option('-t, --tag <tag>', 'write the new index under this tag of the repository instead')
  .option('--format <format>', FORMAT_HELP)
  .option('--platform <os/arch[/variant]>', 'take only these platforms out of the images (repeatable, or a,b)', collect, [] as string[])
  .option('--annotation <key=value>', 'annotation of the index (repeatable)', collect, [] as string[])
  .option('--allow-duplicates', 'list the same image twice, or two images of one platform (refused otherwise)')
  .option('-j, --jobs <n>', 'blobs copied at once (default 8)')
  .option('-q, --quiet', 'no progress on stderr');

const add = defineCommand({
  name: 'add',
  summary: 'write a new index with more images in it (to its tag or -t NEW); prints its digest',
  registry: 'one',
  peers: 'crane index append; regclient index add; docker buildx imagetools create --append',
  examples: [
    ['regctl index add localhost:5000/app:1.0 localhost:5000/app:1.0-s390x', 'adds an s390x image to the index under the same tag'],
    ['regctl index add -t 1.0-all localhost:5000/app:1.0 localhost:5000/app:1.0-windows', 'writes the bigger index under a new tag, leaving 1.0 as it was'],
  ],
  build: buildAdd,
  flags: FLAGS,
  async action(env: CommandEnv, index: string, images: string[], flags: FlagsOf<typeof buildAdd, 'one'>) {
    const format = resultFormat(flags.format);
    const opts = { context: await env.context(), ...common(flags), tag: flags.tag, ...both(await credentialOptions(env, flags)) };
    print(env, format, await withTransfer(env, flags, `Adding to ${index}`, (t) => indexAdd(index, images, { ...opts, ...t })));
  },
});

const buildRemove = (cmd: Command) => cmd
  .argument('<index>', 'the index to remove from: REPO:TAG (or oci:DIR:REF, local:IMAGE)')
  .option('--platform <os/arch[/variant]>', 'remove this platform\'s entries (repeatable)', collect, [] as string[])
  .option('--digest <digest>', 'remove the entry of this digest (repeatable)', collect, [] as string[])
  .option('-t, --tag <tag>', 'write the new index under this tag of the repository instead')
  .option('--format <format>', FORMAT_HELP);

const remove = defineCommand({
  name: 'remove',
  summary: 'write a new index without some platforms or digests (to its tag or -t NEW); prints its digest',
  registry: 'one',
  peers: 'crane index filter; regclient index delete',
  examples: [
    ['regctl index remove --platform linux/s390x localhost:5000/app:1.0', 'writes the index without its s390x image (and that image\'s attestation)'],
    ['regctl index remove --digest sha256:4a9f4c0f9e3bd3e9c4a7ea1bd1e50c8df7f4b1a6a9d0c1e4f0b7c2d8e9a1b2c3 -t 1.0-slim localhost:5000/app:1.0', 'writes it without that entry under the tag 1.0-slim'],
  ],
  build: buildRemove,
  flags: FLAGS,
  async action(env: CommandEnv, index: string, flags: FlagsOf<typeof buildRemove, 'one'>) {
    const format = resultFormat(flags.format);
    const platforms = platformNames(flags.platform);
    const opts = { ...(platforms.length ? { platform: platforms } : {}), ...(flags.digest.length ? { digests: flags.digest } : {}), tag: flags.tag };
    print(env, format, await indexRemove(index, { context: await env.context(), ...opts, credentials: await credentialOptions(env, flags) }));
  },
});

/** The command's one set of credentials for the images read and the index written (the same object: one context). */
const both = (credentials: CredentialOptions) => ({ sourceCredentials: credentials, destinationCredentials: credentials });

function common(flags: { platform: string[]; annotation: string[]; allowDuplicates?: true }) {
  const platforms = platformNames(flags.platform);
  return { annotations: keyValues(flags.annotation, '--annotation'), ...(platforms.length ? { platform: platforms } : {}), ...(flags.allowDuplicates ? { allowDuplicates: true } : {}) };
}

/** The new index as --format says (its digest, what copy prints); where it went and its size on stderr. */
function print(env: CommandEnv, format: ResultFormat, result: IndexResult): void {
  env.io.stdout.write(renderIndex(format, result));
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

import type { CommandEnv } from './command-env.js';
import { parsePlatform } from '../oci/platform.js';
import { locationRegistries } from '../ops/transports/index.js';
import { manifestDelete } from '../ops/delete.js';
import { manifestGet, manifestHead, manifestPut } from '../ops/manifest.js';
import { defaultDocumentFormat, renderDescriptor, renderDocument } from '../output/document.js';
import { parseReference } from '../ref/parse.js';
import { credentialContext } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import { readInput } from './input.js';
import { reportManifestDelete } from './report-delete.js';
import type { Command } from '@commander-js/extra-typings';

const buildGet = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'that platform\'s manifest out of an index')
  .option('--format <format>', 'raw (the bytes as stored; default unless stdout is a terminal), json (pretty-printed) or a Go template over the manifest\'s JSON, e.g. \'{{range .layers}}{{.digest}} {{end}}\'')
  .option('--raw', 'the bytes exactly as stored, also on a terminal');

const get = defineCommand({
  name: 'get',
  summary: 'print the manifest (or index) an image points at, bytes unchanged',
  registry: 'one',
  peers: 'crane manifest; regclient manifest get; oras manifest fetch; skopeo inspect --raw',
  build: buildGet,
  async action(env: CommandEnv, image: string, flags: FlagsOf<typeof buildGet, 'one'>) {
    const format = defaultDocumentFormat(flags, env.io.stdout.isTTY);
    const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
    const ctx = await credentialContext(env, flags, locationRegistries(image));
    env.io.stdout.write(renderDocument((await manifestGet(ctx, image, platform ? { platform } : {})).bytes, format));
  },
});

const buildHead = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const));

const head = defineCommand({
  name: 'head',
  summary: 'digest, media type and size of a manifest (a registry HEAD: no download, no pull counted)',
  registry: 'one',
  peers: 'regclient manifest head; crane digest',
  build: buildHead,
  async action(env: CommandEnv, image: string, flags: FlagsOf<typeof buildHead, 'one'>) {
    const ctx = await credentialContext(env, flags, locationRegistries(image));
    env.io.stdout.write(renderDescriptor(await manifestHead(ctx, image), flags.format));
  },
});

const buildPut = (cmd: Command) => cmd
  .argument('<image>', 'REPO:TAG (or REPO@DIGEST) of a registry')
  .option('-f, --file <file>', 'read the manifest from FILE (default: stdin)')
  .option('--content-type <type>', 'its media type (default: the JSON\'s mediaType, else OCI by its shape)')
  .option('--force', 'push even when the repository lacks blobs or manifests it names');

const put = defineCommand({
  name: 'put',
  summary: 'push a manifest as given; refuses one naming blobs or manifests the repository lacks (lists them)',
  registry: 'one',
  peers: 'regclient manifest put; oras manifest push; crane edit manifest',
  build: buildPut,
  async action(env: CommandEnv, image: string, flags: FlagsOf<typeof buildPut, 'one'>) {
    const bytes = await readInput(env, flags.file ?? '-', 'manifest');
    const ctx = await credentialContext(env, flags, [parseReference(image).registry]);
    const desc = await manifestPut(ctx, image, bytes, { ...(flags.contentType ? { mediaType: flags.contentType } : {}), force: flags.force === true });
    env.io.stdout.write(`${desc.digest}\n`);
  },
});

const buildDelete = (cmd: Command) => cmd.argument('<image>', 'REPO@DIGEST (a tag alone: regctl tag rm)');

const del = defineCommand({
  name: 'delete',
  summary: 'delete a manifest by digest, with every tag on it (listed)',
  registry: 'one',
  peers: 'regclient manifest delete; oras manifest delete; crane delete',
  build: buildDelete,
  async action(env: CommandEnv, image: string, flags: FlagsOf<typeof buildDelete, 'one'>) {
    const ref = parseReference(image);
    const ctx = await credentialContext(env, flags, [ref.registry]);
    reportManifestDelete(env, ref, await manifestDelete(ctx, image));
  },
});

export default defineCommand({
  name: 'manifest',
  summary: 'get, head, put or delete one manifest',
  registry: 'none',
  build: (cmd: Command) => cmd,
  subcommands: [get, head, put, del],
});

import type { CommandEnv } from './command-env.js';
import { manifestDelete, manifestGet, manifestHead, manifestHeads, manifestPut } from '../api/verbs.js';
import { NotFoundError, RegctlError, UsageError } from '../errors.js';
import { defaultDocumentFormat, renderDescriptor, renderDocument } from '../output/document.js';
import { formatHelp, parseFormat, TEXT_JSON } from '../output/format.js';
import { renderPushed, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { parseReference } from '../ref/parse.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import { readInput } from './input.js';
import { batchInputs, fromFileOption, outcomeJson, printBatch } from './batch.js';
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
  examples: [
    ['regctl manifest get alpine:3.20', 'prints the index the tag points at, bytes unchanged'],
    ['regctl manifest get --platform linux/arm64 --format \'{{.config.digest}}\' alpine:3.20', 'prints the config digest of the arm64 image'],
  ],
  build: buildGet,
  async action(env: CommandEnv, image: string, flags: FlagsOf<typeof buildGet, 'one'>) {
    const format = defaultDocumentFormat(flags, env.io.stdout.isTTY);
    const opts = { context: await env.context(), platform: flags.platform, credentials: await credentialOptions(env, flags) };
    env.io.stdout.write(renderDocument((await manifestGet(image, opts)).bytes, format));
  },
});

const buildHead = (cmd: Command, locations: string) => fromFileOption(cmd
  .argument('[image...]', `images: ${locations}`)
  .option('--format <format>', formatHelp(TEXT_JSON), 'text'), 'images');

const head = defineCommand({
  name: 'head',
  summary: 'digest, media type and size of a manifest (a registry HEAD: no download, no pull counted)',
  registry: 'one',
  peers: 'regclient manifest head; crane digest',
  examples: [
    ['regctl manifest head localhost:5000/app:1.0', 'prints the manifest\'s digest, media type and size from one HEAD request'],
    ['regctl manifest head --format \'{{.MediaType}}\' localhost:5000/app:1.0', 'prints only its media type'],
  ],
  build: buildHead,
  /** One image: its descriptor. Several (or --from-file): `IMAGE DIGEST MEDIA-TYPE SIZE` lines in input order as they
   * come, or a JSON array; a template runs once per image. Failures are named on stderr; the exit code partialExitCode's. */
  async action(env: CommandEnv, args: string[], flags: FlagsOf<typeof buildHead, 'one'>) {
    const format = parseFormat(flags.format, TEXT_JSON);
    const images = await batchInputs(env, args, flags.fromFile, 'images');
    const opts = { context: await env.context(), credentials: await credentialOptions(env, flags) };
    if (args.length === 1 && flags.fromFile === undefined) {
      env.io.stdout.write(renderDescriptor(await manifestHead(args[0]!, opts), format));
      return;
    }
    await printBatch<{ digest: string; mediaType: string; size: number }>(env, (onResult) => manifestHeads(images, { ...opts, onResult }), format.builtin === 'json'
      ? { json: (o) => outcomeJson(o, 'image', (d) => ({ digest: d.digest, mediaType: d.mediaType, size: d.size })) }
      : { text: (image, d) => (format.template ? renderDescriptor(d, format) : `${image} ${d.digest} ${d.mediaType} ${d.size}\n`) });
  },
});

const buildPut = (cmd: Command) => cmd
  .argument('<image>', 'REPO:TAG (or REPO@DIGEST) of a registry')
  .option('-f, --file <file>', 'read the manifest from FILE (default: stdin)')
  .option('--content-type <type>', 'its media type (default: the JSON\'s mediaType, else OCI by its shape)')
  .option('--force', 'push even when the repository lacks blobs or manifests it names')
  .option('--format <format>', resultFormatHelp('the digest', '{{.Digest}} {{.Size}}'));

const put = defineCommand({
  name: 'put',
  summary: 'push a manifest as given; refuses one naming blobs or manifests the repository lacks (lists them)',
  registry: 'one',
  peers: 'regclient manifest put; oras manifest push; crane edit manifest',
  examples: [
    ['regctl manifest put localhost:5000/app:1.0 -f manifest.json', 'pushes manifest.json as the tag 1.0, refusing it if the repository lacks a blob it names'],
    ['regctl manifest put --force --content-type application/vnd.oci.image.index.v1+json localhost:5000/app:multi < index.json', 'pushes an index read from stdin, even though the repository lacks the images it names'],
  ],
  build: buildPut,
  flags: { mediaType: '--content-type' },
  async action(env: CommandEnv, image: string, flags: FlagsOf<typeof buildPut, 'one'>) {
    const format = resultFormat(flags.format);
    const bytes = await readInput(env, flags.file ?? '-', 'manifest');
    const opts = { context: await env.context(), mediaType: flags.contentType, force: flags.force === true, credentials: await credentialOptions(env, flags) };
    const desc = await manifestPut(image, bytes, opts).catch((err: unknown) => {
      if (!(err instanceof RegctlError) || err.code !== 'ERR_MANIFEST_INCOMPLETE') throw err;
      throw new NotFoundError(err.message, { code: err.code, hint: 'push them first (regctl blob put, regctl copy), or push anyway with --force', cause: err });
    });
    env.io.stdout.write(renderPushed(format, desc));
  },
});

const buildDelete = (cmd: Command) => cmd
  .argument('<image>', 'REPO@DIGEST (a tag alone: regctl tag rm)')
  .option('--format <format>', resultFormatHelp('Untagged: and Deleted: lines', '{{range .Tags}}{{.}} {{end}}'));

const del = defineCommand({
  name: 'delete',
  summary: 'delete a manifest by digest, with every tag on it (listed)',
  registry: 'one',
  peers: 'regclient manifest delete; oras manifest delete; crane delete',
  examples: [
    ['regctl manifest delete localhost:5000/app@sha256:4a9f4c0f9e3bd3e9c4a7ea1bd1e50c8df7f4b1a6a9d0c1e4f0b7c2d8e9a1b2c3', 'deletes that manifest and every tag on it'],
  ],
  build: buildDelete,
  async action(env: CommandEnv, image: string, flags: FlagsOf<typeof buildDelete, 'one'>) {
    const format = resultFormat(flags.format);
    const ref = parseReference(image);
    const result = await manifestDelete(image, { context: await env.context(), credentials: await credentialOptions(env, flags) }).catch((err: unknown) => {
      if (!(err instanceof UsageError) || ref.digest) throw err;
      throw new UsageError(err.message, { hint: `to remove only the tag: regctl tag rm ${image}`, cause: err });
    });
    reportManifestDelete(env, ref, result, format);
  },
});

export default defineCommand({
  name: 'manifest',
  summary: 'get, head, put or delete one manifest',
  registry: 'none',
  build: (cmd: Command) => cmd,
  subcommands: [get, head, put, del],
});

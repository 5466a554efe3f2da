import { pipeline } from 'node:stream/promises';
import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { blobDelete, blobGet, blobHead, blobPut } from '../api/verbs.js';
import { renderDescriptor } from '../output/document.js';
import { formatHelp, parseFormat, TEXT_JSON } from '../output/format.js';
import { renderBlobDeleted, renderBlobPut, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { atomicWriteStream } from '../util/atomic-write.js';
import { checkOutputFile } from '../util/output-file.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const WHERE = 'REPO@DIGEST, or a location (REPO, oci:DIR[:REF], local:IMAGE, an archive) and the DIGEST';

const buildGet = (cmd: Command) => cmd
  .argument('<location>', WHERE)
  .argument('[digest]', 'the blob\'s digest, when not in LOCATION')
  .option('-o, --output <file>', 'write it to FILE (atomically) instead of stdout');

const get = defineCommand({
  name: 'get',
  summary: 'stream a blob, checked against its digest (never to a terminal)',
  registry: 'one',
  peers: 'crane blob; regclient blob get; oras blob fetch',
  examples: [
    ['regctl blob get -o layer.tar.gz localhost:5000/app@sha256:4a9f4c0f9e3bd3e9c4a7ea1bd1e50c8df7f4b1a6a9d0c1e4f0b7c2d8e9a1b2c3', 'downloads a layer to layer.tar.gz, checked against its digest'],
    ['regctl blob get oci:./layout:v1 sha256:4a9f4c0f9e3bd3e9c4a7ea1bd1e50c8df7f4b1a6a9d0c1e4f0b7c2d8e9a1b2c3 | tar -tzf -', 'lists the files of a layer of the image in an OCI layout'],
  ],
  build: buildGet,
  async action(env: CommandEnv, location: string, digest: string | undefined, flags: FlagsOf<typeof buildGet, 'one'>) {
    if (!flags.output && env.io.stdout.isTTY) throw new UsageError('refusing to write a blob to a terminal', { hint: 'use -o FILE or redirect stdout' });
    if (flags.output) await checkOutputFile(flags.output);
    const { stream } = await blobGet(location, digest, { context: await env.context(), credentials: await credentialOptions(env, flags) });
    if (flags.output) await atomicWriteStream(flags.output, stream);
    else await pipeline(stream, env.io.stdout, { end: false });
  },
});

const buildHead = (cmd: Command) => cmd
  .argument('<location>', WHERE)
  .argument('[digest]', 'the blob\'s digest, when not in LOCATION')
  .option('--format <format>', formatHelp(TEXT_JSON), 'text');

const head = defineCommand({
  name: 'head',
  summary: 'digest and size of a blob (a registry HEAD)',
  registry: 'one',
  peers: 'regclient blob head',
  examples: [
    ['regctl blob head localhost:5000/app@sha256:4a9f4c0f9e3bd3e9c4a7ea1bd1e50c8df7f4b1a6a9d0c1e4f0b7c2d8e9a1b2c3', 'prints the blob\'s digest and size, or exits 3 when the repository lacks it'],
  ],
  build: buildHead,
  async action(env: CommandEnv, location: string, digest: string | undefined, flags: FlagsOf<typeof buildHead, 'one'>) {
    const format = parseFormat(flags.format, TEXT_JSON);
    const opts = { context: await env.context(), credentials: await credentialOptions(env, flags) };
    env.io.stdout.write(renderDescriptor(await blobHead(location, digest, opts), format));
  },
});

const buildPut = (cmd: Command) => cmd
  .argument('<repository>', 'registry repository, e.g. localhost:5000/app')
  .option('-f, --file <file>', 'the blob\'s file (default: stdin, -)')
  .option('--format <format>', resultFormatHelp('the digest', '{{.Digest}} {{.Size}}'));

const put = defineCommand({
  name: 'put',
  summary: 'upload a blob and print its digest (one PUT up to 16 MiB, else PATCH chunks)',
  registry: 'one',
  peers: 'regclient blob put; oras blob push',
  examples: [
    ['regctl blob put localhost:5000/app -f config.json', 'uploads config.json and prints its digest'],
    ['tar -czf - ./site | regctl blob put localhost:5000/app', 'uploads a layer streamed from stdin'],
  ],
  build: buildPut,
  async action(env: CommandEnv, repository: string, flags: FlagsOf<typeof buildPut, 'one'>) {
    const format = resultFormat(flags.format);
    const file = flags.file ?? '-';
    if (file === '-' && env.io.stdin.isTTY) throw new UsageError('give the blob on stdin or with -f FILE');
    const opts = { context: await env.context(), credentials: await credentialOptions(env, flags) };
    env.io.stdout.write(renderBlobPut(format, await blobPut(repository, file === '-' ? { stream: env.io.stdin } : { path: file }, opts)));
  },
});

const buildDelete = (cmd: Command) => cmd
  .argument('<location>', 'REPO@DIGEST, or REPO and the DIGEST')
  .argument('[digest]', 'the blob\'s digest, when not in LOCATION')
  .option('--format <format>', resultFormatHelp('Deleted: DIGEST', '{{.Digest}}'));

const del = defineCommand({
  name: 'delete',
  summary: 'delete a blob from a registry repository',
  registry: 'one',
  peers: 'regclient blob delete; oras blob delete',
  examples: [
    ['regctl blob delete localhost:5000/app@sha256:4a9f4c0f9e3bd3e9c4a7ea1bd1e50c8df7f4b1a6a9d0c1e4f0b7c2d8e9a1b2c3', 'deletes the blob from the repository'],
  ],
  build: buildDelete,
  async action(env: CommandEnv, location: string, digest: string | undefined, flags: FlagsOf<typeof buildDelete, 'one'>) {
    const format = resultFormat(flags.format);
    const opts = { context: await env.context(), credentials: await credentialOptions(env, flags) };
    env.io.stdout.write(renderBlobDeleted(format, await blobDelete(location, digest, opts)));
  },
});

export default defineCommand({
  name: 'blob',
  summary: 'get, head, put or delete one blob',
  registry: 'none',
  build: (cmd: Command) => cmd,
  subcommands: [get, head, put, del],
});

import type { CommandEnv } from './command-env.js';
import { tags } from '../ops/list.js';
import { tag } from '../ops/local.js';
import { untag } from '../ops/untag.js';
import { renderTagList } from '../output/list.js';
import { formatHelp, parseFormat } from '../output/format.js';
import { parseReference, parseRepository } from '../ref/parse.js';
import { credentialContext } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import { throwFailures } from './failures.js';
import type { Command } from '@commander-js/extra-typings';

const buildLs = (cmd: Command) => cmd
  .argument('<repository>', 'registry repository, e.g. localhost:5000/app')
  .option('--exclude <regex>', 'leave out tags in which this regular expression is found (repeatable)', collect, [] as string[])
  .option('--omit-digest-tags', 'leave out referrers and cosign digest tags (sha256-<hex>, sha256-<hex>.sig, …)')
  .option('--format <format>', formatHelp(['text', 'json']), 'text');

const ls = defineCommand({
  name: 'ls',
  summary: 'list the tags of a registry repository (the tags command, with filters)',
  registry: 'one',
  peers: 'crane ls --omit-digest-tags; regclient tag ls --exclude; oras repo tags',
  build: buildLs,
  async action(env: CommandEnv, repository: string, flags: FlagsOf<typeof buildLs, 'one'>) {
    const format = parseFormat(flags.format, ['text', 'json'] as const);
    const repo = parseRepository(repository);
    const ctx = await credentialContext(env, flags, [repo.registry]);
    const list = await tags(ctx, repository, { exclude: flags.exclude, omitDigestTags: flags.omitDigestTags === true });
    env.io.stdout.write(renderTagList(format, `${repo.registry}/${repo.repository}`, list));
  },
});

const buildRm = (cmd: Command) => cmd
  .argument('<image...>', 'REPO:TAG of a registry (several at once)')
  .option('--dry-run', 'say which tags would go (and their digests); remove nothing');

const rm = defineCommand({
  name: 'rm',
  summary: 'remove tags from a registry; the images and their other tags stay (every tag tried and reported)',
  registry: 'one',
  peers: 'regclient tag delete; crane delete REPO:TAG (where the registry deletes tags)',
  build: buildRm,
  async action(env: CommandEnv, images: string[], flags: FlagsOf<typeof buildRm, 'one'>) {
    const ctx = await credentialContext(env, flags, [...new Set(images.map((i) => parseReference(i).registry))]);
    const failures: unknown[] = [];
    for (const image of images) {
      try {
        const r = await untag(ctx, image, { dryRun: flags.dryRun === true });
        env.io.stdout.write(flags.dryRun ? `Would untag: ${r.name} (${r.digest})\n` : `Untagged: ${r.name}\n`);
      } catch (err) {
        failures.push(err);
      }
    }
    throwFailures(env.warn, failures);
  },
});

const build = (cmd: Command) => cmd
  .argument('<source>', 'local image')
  .argument('<target>', 'new name');

async function tagCommand(env: CommandEnv, source: string, target: string, _flags: FlagsOf<typeof build>): Promise<void> {
  await tag(await env.context(), source, target);
}

export default defineCommand({
  name: 'tag',
  summary: 'give a local image another name (no data is copied); `tag ls` and `tag rm` list and remove registry tags',
  registry: 'none',
  peers: 'docker tag; crane tag (remote)',
  build,
  subcommands: [ls, rm],
  action: tagCommand,
});

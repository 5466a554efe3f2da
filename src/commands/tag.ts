import type { CommandEnv } from './command-env.js';
import { tag } from '../ops/local.js';
import { untag } from '../ops/untag.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import { buildTags, tagsCommand } from './tags.js';
import { throwFailures } from './failures.js';
import type { Command } from '@commander-js/extra-typings';

const ls = defineCommand({
  name: 'ls',
  summary: 'list the tags of a registry repository (the tags command under crane\'s and regclient\'s name)',
  registry: 'one',
  peers: 'crane ls --omit-digest-tags; regclient tag ls --exclude; oras repo tags',
  build: buildTags,
  action: tagsCommand,
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
    const credentials = await credentialOptions(env, flags);
    const ctx = await env.context();
    const failures: unknown[] = [];
    for (const image of images) {
      try {
        const r = await untag(ctx, image, { dryRun: flags.dryRun === true, credentials });
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

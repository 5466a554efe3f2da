import type { CommandEnv } from './command-env.js';
import { tag, tagRemote } from '../api/local.js';
import { untag } from '../api/verbs.js';
import { isValidTag, namesRegistry } from '../ref/parse.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import { buildTags, tagsCommand } from './tags.js';
import { throwFailures } from './failures.js';
import { renderUntagged, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import type { Command } from '@commander-js/extra-typings';

const ls = defineCommand({
  name: 'ls',
  summary: 'list the tags of a registry repository (the tags command under crane\'s and regclient\'s name)',
  registry: 'one',
  peers: 'crane ls --omit-digest-tags; regclient tag ls --exclude; oras repo tags',
  examples: [
    ['regctl tag ls localhost:5000/app', 'lists the repository\'s tags, as regctl tags does'],
  ],
  build: buildTags,
  action: tagsCommand,
});

const buildRm = (cmd: Command) => cmd
  .argument('<image...>', 'REPO:TAG of a registry (several at once)')
  .option('--dry-run', 'say which tags would go (and their digests); remove nothing')
  .option('--format <format>', resultFormatHelp('Untagged: NAME lines', '{{.Digest}}'));

const rm = defineCommand({
  name: 'rm',
  summary: 'remove tags from a registry; the images and their other tags stay (every tag tried and reported)',
  registry: 'one',
  peers: 'regclient tag delete; crane delete REPO:TAG (where the registry deletes tags)',
  examples: [
    ['regctl tag rm localhost:5000/app:rc1 localhost:5000/app:rc2', 'removes two tags; the images and their other tags stay'],
    ['regctl tag rm --dry-run localhost:5000/app:old', 'says what the tag points at and removes nothing'],
  ],
  build: buildRm,
  async action(env: CommandEnv, images: string[], flags: FlagsOf<typeof buildRm, 'one'>) {
    const format = resultFormat(flags.format);
    const credentials = await credentialOptions(env, flags);
    const context = await env.context();
    const failures: unknown[] = [];
    for (const image of images) {
      try {
        const r = await untag(image, { context, dryRun: flags.dryRun === true, credentials });
        env.io.stdout.write(renderUntagged(format, r, flags.dryRun === true));
      } catch (err) {
        failures.push(err);
      }
    }
    throwFailures(env.warn, failures);
  },
});

// No credential flags on tag itself: commander would take them from `tag ls` and `tag rm`, whose own they are. The
// registry form uses the stored credentials (regctl login), as crane tag does.
const build = (cmd: Command) => cmd
  .argument('<source>', 'a local image; or a registry image, REGISTRY/REPO:TAG (see below)')
  .argument('<target>', 'the local image\'s new name, NAME[:TAG]; or the registry image\'s new tag, TAG')
  .addHelpText('after', `
Which one is meant, by the arguments alone:
  regctl tag REGISTRY/REPO:TAG NEWTAG   a new tag in the registry (crane tag): SOURCE names its registry host
                                        (a first part with "." or ":", or localhost; docker.io/… for Docker
                                        Hub) and TARGET is a tag only (no "/" or ":"). The manifest is PUT
                                        unchanged under NEWTAG: same digest, no blob moved. Credentials: the
                                        stored ones (regctl login), as crane tag.
  regctl tag LOCAL NEWNAME              anything else: another name for an image of the local store (docker
                                        tag), no data copied. NEWNAME with a ":" or "/" is always a local name:
                                        regctl tag localhost:5000/app:1 localhost:5000/app:stable`);

/**
 * `tag IMG NEWTAG` in the registry when SOURCE names its registry host and TARGET is a tag only (crane's form);
 * every other pair names local images (docker's form).
 */
function isRegistryTag(source: string, target: string): boolean {
  return isValidTag(target) && namesRegistry(source);
}

async function tagCommand(env: CommandEnv, source: string, target: string, _flags: FlagsOf<typeof build>): Promise<void> {
  const context = await env.context();
  await (isRegistryTag(source, target) ? tagRemote(source, target, { context }) : tag(source, target, { context }));
}

export default defineCommand({
  name: 'tag',
  summary: 'a new tag on a registry image (tag REG/REPO:TAG NEWTAG), or another name for a local image; `tag ls`, `tag rm` list and remove registry tags',
  registry: 'none',
  peers: 'docker tag; crane tag',
  examples: [
    ['regctl tag localhost:5000/app:1.2.3 latest', 'points latest at the same manifest in the registry (one PUT, nothing copied)'],
    ['regctl tag app:dev localhost:5000/app:1.0', 'gives a local image another name, ready to push'],
  ],
  build,
  subcommands: [ls, rm],
  action: tagCommand,
});

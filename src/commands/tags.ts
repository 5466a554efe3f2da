import type { CommandEnv } from './command-env.js';
import { tags, tagsMany } from '../api/read.js';
import { renderTagList } from '../output/list.js';
import { terminalSafe } from '../output/terminal.js';
import { formatHelp, parseFormat, TEXT_JSON, writeTemplate } from '../output/format.js';
import { tagsData } from '../output/template-data.js';
import { parseRepository } from '../ref/parse.js';
import { credentialOptions } from './credentials.js';
import { batchInputs, fromFileOption, outcomeJson, printBatch } from './batch.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';


/** `tags` and `tag ls`: the same arguments, options and action under two names. */
export const buildTags = (cmd: Command) => fromFileOption(cmd
  .argument('[repository...]', 'repositories, e.g. alpine or localhost:5000/app')
  .option('--digest <digest>', 'only the tags pointing at this digest (a HEAD per tag)')
  .option('--exclude <regex>', 'leave out tags in which this regular expression is found (repeatable)', collect, [] as string[])
  .option('--omit-digest-tags', 'leave out referrers and cosign digest tags (sha256-<hex>, sha256-<hex>.sig, …)')
  .option('--full-ref', 'print full references, REPOSITORY:TAG, instead of bare tags')
  .option('--format <format>', formatHelp(TEXT_JSON), 'text'), 'repositories');

/**
 * One repository: its tags, one per line. Several (or --from-file): `REPOSITORY TAG` lines in input order, or a JSON
 * array of `{ repository, tags }`, all on one transport; failures named on stderr. `--full-ref`: `REPOSITORY:TAG`
 * wherever a tag is printed, the repository as the registry names it (`docker.io/library/alpine`).
 */
export async function tagsCommand(env: CommandEnv, args: string[], flags: FlagsOf<typeof buildTags, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, TEXT_JSON);
  const repositories = await batchInputs(env, args, flags.fromFile, 'repositories');
  const options = {
    context: await env.context(),
    credentials: await credentialOptions(env, flags),
    exclude: flags.exclude,
    omitDigestTags: flags.omitDigestTags === true,
    digest: flags.digest,
  };
  const shown = (repository: string, list: string[]) => (flags.fullRef ? list.map((t) => `${fullName(repository)}:${t}`) : list);
  const out = env.io.stdout;
  if (args.length > 1 || flags.fromFile !== undefined) {
    await printBatch<string[]>(env, (onResult) => tagsMany(repositories, { ...options, onResult }), format.builtin === 'json'
      ? { json: (o) => outcomeJson(o, 'repository', (t) => ({ tags: shown(o.input, t) })) }
      : format.template
        ? { write: (repository, list) => writeTemplate(format.template!, [tagsData(repository, shown(repository, list))], out) }
        : { text: (repository, list) => shown(repository, list).map((t) => `${terminalSafe(flags.fullRef ? t : `${repository} ${t}`)}\n`).join('') });
    return;
  }
  const repository = args[0]!;
  const stderr = env.io.stderr;
  const onProgress = flags.digest !== undefined && stderr.isTTY ? (done: number, total: number) => stderr.write(`\rchecked ${done}/${total} tags`) : undefined;
  let list: string[];
  try {
    list = await tags(repository, { ...options, onProgress });
  } finally {
    if (onProgress) stderr.write('\r\x1b[K');
  }
  // A template is streamed (memory flat, Ctrl-C served while it runs), as inspect's.
  if (format.template) await writeTemplate(format.template, [tagsData(fullName(repository), shown(repository, list))], out);
  else out.write(renderTagList(format, fullName(repository), shown(repository, list)));
}

/** `localhost:5000/app`, `docker.io/library/alpine`: the repository as the registry names it. */
function fullName(repository: string): string {
  const repo = parseRepository(repository);
  return `${repo.registry}/${repo.repository}`;
}

export default defineCommand({
  name: 'tags',
  summary: 'list every tag of a repository, or with --digest those pointing at one digest',
  registry: 'one',
  peers: 'crane ls; regclient tag ls; skopeo list-tags',
  examples: [
    ['regctl tags localhost:5000/app', 'lists every tag of the repository'],
    ['regctl tags --digest sha256:4a9f4c0f9e3bd3e9c4a7ea1bd1e50c8df7f4b1a6a9d0c1e4f0b7c2d8e9a1b2c3 registry.example.com/app', 'lists the tags pointing at that digest'],
    ['regctl tags --omit-digest-tags --exclude \'-rc\' --full-ref alpine', 'lists alpine\'s tags as full references, without release candidates or signature and referrers tags'],
  ],
  build: buildTags,
  action: tagsCommand,
});

import type { Command } from '@commander-js/extra-typings';
import { images, type ImagesFilter, type StoreImage } from '../api/local.js';
import { NotFoundError, UsageError } from '../errors.js';
import { humanSize } from '../output/bytes.js';
import { formatHelp, parseFormat, writeTemplate } from '../output/format.js';
import { renderTable } from '../output/table.js';
import { imageData } from '../output/template-data.js';
import { relativeTime } from '../output/time.js';
import { familiarReference, parseReference } from '../ref/parse.js';
import type { CommandEnv } from './command-env.js';
import { collect, defineCommand, type FlagsOf } from './define.js';

const FORMATS = ['table', 'json'] as const;

const build = (cmd: Command) => cmd
  .argument('[repository]', 'only this repository (REPOSITORY or REPOSITORY:TAG); exit 3 when the store has none of it')
  .option('-q, --quiet', 'print only image IDs (each once)')
  .option('-a, --all', 'docker\'s "also intermediate images": the store keeps none (it builds nothing), so every image is listed either way')
  .option('-f, --filter <key=value>', 'only images matching: reference=PATTERN (a shell pattern on REPOSITORY:TAG or REPOSITORY; repeat for any of several), dangling=true|false (unnamed images, <none>)', collect, [] as string[])
  .option('--format <format>', formatHelp(FORMATS), 'table')
  .option('--digests', 'show manifest digests')
  .option('--no-trunc', 'show full image IDs')
  .addHelpText('after', `
An image the store lacks is not looked up in its registry: \`regctl images REPO\` of a repository the store holds
nothing of says so on stderr and exits 3, pointing to \`regctl tags REPO\` (the registry's tags).`);

/** docker images: REPOSITORY TAG [DIGEST] IMAGE ID CREATED SIZE; IDs shortened to 12 hex unless --no-trunc. */
async function imagesCommand(env: CommandEnv, repository: string | undefined, flags: FlagsOf<typeof build>): Promise<void> {
  const format = parseFormat(flags.format, FORMATS);
  const filter = parseFilters(flags.filter);
  const list = await images(repository, { context: await env.context(), filter });
  if (repository !== undefined && list.length === 0) throw notInStore(repository, flags.filter.length > 0);
  const out = env.io.stdout;
  const id = (full: string) => (flags.trunc === false ? full : full.slice(full.indexOf(':') + 1, full.indexOf(':') + 13));
  if (flags.quiet) {
    out.write([...new Set(list.map((i) => id(i.id)))].map((d) => `${d}\n`).join(''));
  } else if (format.template) {
    await writeTemplate(format.template, list.map((i) => imageData(i, id(i.id), created(i.created), humanSize(i.size))), out);
  } else if (format.builtin === 'json') {
    out.write(`${JSON.stringify(list, null, 2)}\n`);
  } else {
    const rows = list.map((i: StoreImage) => [
      i.repository, i.tag, ...(flags.digests ? [i.digest] : []), id(i.id), created(i.created), humanSize(i.size),
    ]);
    out.write(renderTable(['REPOSITORY', 'TAG', ...(flags.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'], rows));
  }
}

/** docker's `--filter KEY=VALUE` of images: `reference` (repeatable: any may match) and `dangling`. */
function parseFilters(values: string[]): ImagesFilter {
  const reference: string[] = [];
  let dangling: boolean | undefined;
  for (const value of values) {
    const eq = value.indexOf('=');
    const [key, arg] = eq < 0 ? [value, undefined] : [value.slice(0, eq), value.slice(eq + 1)];
    if (key === 'reference' && arg) reference.push(arg);
    else if (key === 'dangling' && (arg === 'true' || arg === 'false')) dangling = arg === 'true';
    else if (key === 'reference' || key === 'dangling') throw new UsageError(`invalid --filter "${value}": want ${key === 'reference' ? 'reference=PATTERN' : 'dangling=true or dangling=false'}`);
    else throw new UsageError(`--filter "${value}": images filters by reference=PATTERN and dangling=true|false only`, { hint: 'docker\'s before, since and label filters are not supported' });
  }
  return { ...(reference.length ? { reference } : {}), ...(dangling !== undefined ? { dangling } : {}) };
}

/** A repository the store has no image of: never an empty table, since it may well be in its registry. */
function notInStore(repository: string, filtered: boolean): NotFoundError {
  const r = parseReference(repository); // a valid name: the library parsed it already
  const repo = familiarReference({ registry: r.registry, repository: r.repository });
  return new NotFoundError(`the local store has no image of ${repository}${filtered ? ' that matches the filters' : ''}`, {
    code: 'ERR_IMAGE_NOT_FOUND',
    hint: `images lists the local store only; the tags of the registry repository: regctl tags ${repo}`,
  });
}

/** "3 days ago"; N/A when the image has no creation time (absent, or the zero time of Go or Unix), as docker. */
function created(iso: string | undefined): string {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) || t <= 0 ? 'N/A' : relativeTime(iso!, Date.now());
}

export default defineCommand({
  name: 'images',
  aliases: ['ls'],
  summary: 'list the images in the local store (all, or those of one repository: exit 3 when it has none of it)',
  registry: 'none',
  peers: 'docker images',
  examples: [
    ['regctl images', 'lists the images in the local store'],
    ['regctl images -f reference=\'localhost:5000/*\' --digests', 'only those of the local registry, with their digests'],
    ['regctl images -q -f dangling=true', 'prints the IDs of unnamed images'],
  ],
  build,
  flags: { 'filter.reference': '--filter reference' },
  action: imagesCommand,
});

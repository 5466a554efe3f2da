import type { CommandEnv } from './command-env.js';
import { images } from '../ops/local.js';
import { humanSize } from '../output/bytes.js';
import { relativeTime } from '../output/time.js';
import { renderTable } from '../output/table.js';
import { formatHelp, parseFormat, renderTemplate } from '../output/format.js';
import { imageData } from '../output/template-data.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('[repository]', 'only this repository (REPOSITORY or REPOSITORY:TAG)')
  .option('--format <format>', formatHelp(FORMATS), 'table')
  .option('-q, --quiet', 'print only image IDs')
  .option('--digests', 'show manifest digests')
  .option('--no-trunc', 'show full image IDs');

const FORMATS = ['table', 'json'] as const;

/** docker images: REPOSITORY TAG [DIGEST] IMAGE ID CREATED SIZE; IDs shortened to 12 hex unless --no-trunc. */
async function imagesCommand(env: CommandEnv, filter: string | undefined, flags: FlagsOf<typeof build>): Promise<void> {
  const format = parseFormat(flags.format, FORMATS);
  const list = await images(await env.context(), filter);
  const out = env.io.stdout;
  const id = (full: string) => (flags.trunc === false ? full : full.slice(full.indexOf(':') + 1, full.indexOf(':') + 13));
  if (flags.quiet) {
    out.write([...new Set(list.map((i) => id(i.id)))].map((d) => `${d}\n`).join(''));
  } else if (format.template) {
    out.write(renderTemplate(format.template, list.map((i) => imageData(i, id(i.id), created(i.created), humanSize(i.size)))));
  } else if (format.builtin === 'json') {
    out.write(`${JSON.stringify(list, null, 2)}\n`);
  } else {
    const rows = list.map((i) => [
      i.repository, i.tag, ...(flags.digests ? [i.digest] : []), id(i.id), created(i.created), humanSize(i.size),
    ]);
    out.write(renderTable(['REPOSITORY', 'TAG', ...(flags.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'], rows));
  }
}

/** "3 days ago"; N/A when the image has no creation time (absent, or the zero time of Go or Unix), as docker. */
function created(iso: string | undefined): string {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isNaN(t) || t <= 0 ? 'N/A' : relativeTime(iso!, Date.now());
}

export default defineCommand({
  name: 'images',
  aliases: ['ls'],
  summary: 'list the images in the local store (all, or those of one repository)',
  registry: 'none',
  peers: 'docker images',
  build,
  action: imagesCommand,
});

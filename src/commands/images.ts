import type { CommandEnv } from './command-env.js';
import { images } from '../ops/local.js';
import { humanSize } from '../output/bytes.js';
import { relativeTime } from '../output/time.js';
import { renderTable } from '../output/table.js';

export async function imagesCommand(env: CommandEnv, flags: { format: 'table' | 'json'; quiet?: boolean }): Promise<void> {
  const list = await images(await env.context());
  const out = env.io.stdout;
  if (flags.quiet) {
    out.write([...new Set(list.map((i) => i.digest))].map((d) => `${d}\n`).join(''));
  } else if (flags.format === 'json') {
    out.write(`${JSON.stringify(list, null, 2)}\n`);
  } else {
    const rows = list.map((i) => [i.repository, i.tag, i.digest, humanSize(i.size), i.created ? relativeTime(i.created, Date.now()) : '']);
    out.write(renderTable(['REPOSITORY', 'TAG', 'DIGEST', 'SIZE', 'CREATED'], rows));
  }
}

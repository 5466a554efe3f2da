import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { search, type SearchFilters } from '../api/read.js';
import { renderTable, truncate } from '../output/table.js';
import { formatHelp, parseFormat, writeTemplate } from '../output/format.js';
import { searchData } from '../output/template-data.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<term>', 'search term')
  .option('--limit <n>', 'maximum number of results (1-100)', '25')
  .option('-f, --filter <filter>', 'filter: stars=N, is-official=true|false, is-automated=true|false (repeatable)', collect, [] as string[])
  .option('--no-trunc', 'do not truncate descriptions')
  .option('--format <format>', formatHelp(FORMATS), 'table')
  .option('--registry <host>', 'search this registry instead of Docker Hub');

const DESCRIPTION_WIDTH = 45;
const FORMATS = ['table', 'json'] as const;

async function searchCommand(env: CommandEnv, term: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (!/^\d+$/.test(flags.limit)) throw new UsageError(`--limit ${flags.limit}: want a whole number from 1 to 100`);
  const format = parseFormat(flags.format, FORMATS);
  const results = await search(term, {
    context: await env.context(),
    credentials: await credentialOptions(env, flags),
    limit: Number(flags.limit),
    filters: parseFilters(flags.filter),
    registry: flags.registry,
  });
  if (format.builtin === 'json') {
    env.io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const description = (d: string) => (flags.trunc ? truncate(d, DESCRIPTION_WIDTH) : d);
  if (format.template) {
    await writeTemplate(format.template, results.map((r) => searchData(r, description(r.description))), env.io.stdout);
    return;
  }
  const rows = results.map((r) => [
    r.name,
    description(r.description),
    String(r.stars),
    r.official ? '[OK]' : '',
  ]);
  env.io.stdout.write(renderTable(['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'], rows));
}

/** docker's `--filter` values: `stars=N`, `is-official=true|false`, `is-automated=true|false`. */
function parseFilters(values: string[]): SearchFilters {
  const out: SearchFilters = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq > 0 ? v.slice(0, eq) : v;
    const val = eq > 0 ? v.slice(eq + 1) : '';
    if (key === 'stars') {
      if (!/^\d+$/.test(val)) throw new UsageError(`--filter ${v}: stars takes a whole number`);
      out.stars = Number(val);
    } else if (key === 'is-official' || key === 'is-automated') {
      if (val !== 'true' && val !== 'false') throw new UsageError(`--filter ${v}: ${key} takes true or false`);
      out[key === 'is-official' ? 'official' : 'automated'] = val === 'true';
    } else {
      throw new UsageError(`--filter ${v}: unknown filter`, { hint: 'filters: stars=N, is-official=true|false, is-automated=true|false' });
    }
  }
  return out;
}

export default defineCommand({
  name: 'search',
  summary: 'search Docker Hub (or another registry\'s catalog) for repositories',
  registry: 'one',
  peers: 'docker search',
  examples: [
    ['regctl search nginx --limit 5', 'lists the five best matches for nginx on Docker Hub'],
    ['regctl search redis -f is-official=true -f stars=100', 'only official repositories with at least 100 stars'],
    ['regctl search app --registry registry.example.com --format json', 'searches a private registry\'s catalog and prints JSON'],
  ],
  build,
  action: searchCommand,
});

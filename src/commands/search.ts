import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { renderTable, truncate } from '../output/table.js';
import { formatHelp, parseFormat, renderTemplate } from '../output/format.js';
import { searchData } from '../output/template-data.js';
import { registryHost } from '../ops/list.js';
import { parseSearchFilters, search } from '../ops/search.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<term>', 'search term')
  .option('--limit <n>', 'maximum number of results (1-100)', '25')
  .option('--filter <filter>', 'filter: stars=N, is-official=true|false, is-automated=true|false (repeatable)', collect, [] as string[])
  .option('--no-trunc', 'do not truncate descriptions')
  .option('--format <format>', formatHelp(FORMATS), 'table')
  .option('--registry <host>', 'search this registry instead of Docker Hub');

const DESCRIPTION_WIDTH = 45;
const FORMATS = ['table', 'json'] as const;

async function searchCommand(env: CommandEnv, term: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (!/^\d+$/.test(flags.limit)) throw new UsageError(`invalid limit "${flags.limit}": must be between 1 and 100`);
  const format = parseFormat(flags.format, FORMATS);
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const results = await search(ctx, term, {
    limit: Number(flags.limit),
    credentials,
    filters: parseSearchFilters(flags.filter),
    ...(flags.registry ? { registry: flags.registry } : {}),
  });
  if (format.builtin === 'json') {
    env.io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const description = (d: string) => (flags.trunc ? truncate(d, DESCRIPTION_WIDTH) : d);
  if (format.template) {
    env.io.stdout.write(renderTemplate(format.template, results.map((r) => searchData(r, description(r.description)))));
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

export default defineCommand({
  name: 'search',
  summary: 'search Docker Hub (or another registry\'s catalog) for repositories',
  registry: 'one',
  peers: 'docker search',
  build,
  action: searchCommand,
});

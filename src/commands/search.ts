import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { renderTable, truncate } from '../output/table.js';
import { registryHost } from '../ops/list.js';
import { parseSearchFilters, search } from '../ops/search.js';
import { credentialContext } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<term>', 'search term')
  .option('--limit <n>', 'maximum number of results (1-100)', '25')
  .option('--filter <filter>', 'filter: stars=N, is-official=true|false, is-automated=true|false (repeatable)', collect, [] as string[])
  .option('--no-trunc', 'do not truncate descriptions')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['table', 'json'] as const).default('table' as const))
  .option('--registry <host>', 'search this registry instead of Docker Hub');

const DESCRIPTION_WIDTH = 45;

async function searchCommand(env: CommandEnv, term: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (!/^\d+$/.test(flags.limit)) throw new UsageError(`invalid limit "${flags.limit}": must be between 1 and 100`);
  const ctx = await credentialContext(env, flags, [registryHost(flags.registry ?? 'docker.io')]);
  const results = await search(ctx, term, {
    limit: Number(flags.limit),
    filters: parseSearchFilters(flags.filter),
    ...(flags.registry ? { registry: flags.registry } : {}),
  });
  if (flags.format === 'json') {
    env.io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const rows = results.map((r) => [
    r.name,
    flags.trunc ? truncate(r.description, DESCRIPTION_WIDTH) : r.description,
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

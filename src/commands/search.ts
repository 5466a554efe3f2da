import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { renderTable, truncate } from '../output/table.js';
import { parseSearchFilters, search } from '../ops/search.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

interface SearchFlags extends CredentialFlags {
  limit: string;
  filter: string[];
  trunc: boolean;
  format: 'table' | 'json';
  registry?: string;
}

const DESCRIPTION_WIDTH = 45;

export async function searchCommand(env: CommandEnv, term: string, flags: SearchFlags): Promise<void> {
  if (!/^\d+$/.test(flags.limit)) throw new UsageError(`invalid limit "${flags.limit}": must be between 1 and 100`);
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const results = await search(ctx, term, {
    limit: Number(flags.limit),
    credentials,
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

import { UsageError } from '../errors.js';
import { listCatalog } from '../registry/catalog.js';
import { searchV1, type SearchResult } from '../registry/search.js';
import { searchBase } from '../transport/endpoint.js';
import type { OpsContext } from './context.js';
import { sideContext, type CredentialOptions } from './credentials.js';
import { registryHost } from './list.js';

export interface SearchFilters {
  /** Only results with at least this many stars. */
  stars?: number;
  official?: boolean;
  automated?: boolean;
}

export interface SearchOptions {
  /** 1–100, default 25: how many results to ask for (filters apply after, like docker). */
  limit?: number;
  filters?: SearchFilters;
  /** Registry to search; default docker.io. Registries without a v1 search API are searched by catalog. */
  registry?: string;
  credentials?: CredentialOptions | undefined;
}

export const DEFAULT_SEARCH_LIMIT = 25;
/** The most results Docker Hub's search answers with. */
export const MAX_SEARCH_LIMIT = 100;

/** Docker Hub's v1 search, or for other registries the catalog's names containing the term. */
export async function search(ctx: OpsContext, term: string, opts: SearchOptions = {}): Promise<SearchResult[]> {
  if (!term.trim()) throw new UsageError('search term must not be empty');
  const limit = opts.limit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) {
    throw new UsageError(`option limit: want 1 to ${MAX_SEARCH_LIMIT}, got ${limit}`, { option: 'limit' });
  }
  const registry = registryHost(opts.registry ?? 'docker.io', 'registry');
  ctx = await sideContext(ctx, [registry], opts.credentials);
  const base = searchBase(registry, ctx.settings.registries[registry]);
  let results: SearchResult[];
  if (base) {
    results = await searchV1(await ctx.transport.http(registry), base, term, limit);
  } else {
    const client = await ctx.transport.client(registry);
    const needle = term.toLowerCase();
    const names = await listCatalog(client, `searching the catalog of ${registry}`);
    results = names
      .filter((n) => n.toLowerCase().includes(needle))
      .slice(0, limit)
      .map((n) => ({ name: `${registry}/${n}`, description: '', stars: 0, official: false, automated: false }));
  }
  return applyFilters(results, opts.filters ?? {});
}

function applyFilters(results: SearchResult[], f: SearchFilters): SearchResult[] {
  if (f.automated === true) return []; // automated builds no longer exist on Hub
  return results.filter((r) => (f.stars === undefined || r.stars >= f.stars) && (f.official === undefined || r.official === f.official));
}

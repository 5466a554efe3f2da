import { readCapped } from '../util/read-capped.js';
import { RegistryError } from '../errors.js';
import { send, type HttpContext } from '../transport/http.js';
import { responseError } from '../transport/response-error.js';

export interface SearchResult {
  name: string;
  description: string;
  stars: number;
  official: boolean;
  automated: boolean;
}

const MAX_SEARCH_BYTES = 4 * 1024 * 1024;

/**
 * Docker Hub's v1 search: `GET {base}/v1/search?q=TERM&n=N`. Official images are listed without their
 * `library/` prefix, like docker; `is_automated` is always reported false (Hub dropped automated builds).
 */
export async function searchV1(http: HttpContext, base: string, term: string, limit: number): Promise<SearchResult[]> {
  const url = new URL(`${base.replace(/\/$/, '')}/v1/search`);
  url.searchParams.set('q', term);
  url.searchParams.set('n', String(limit));
  const what = `searching ${url.host} for "${term}"`;
  const res = await send(http, { method: 'GET', url, headers: { accept: 'application/json' } });
  if (res.status !== 200) throw await responseError(res, 'GET', what);
  let doc: { results?: unknown };
  try {
    doc = JSON.parse((await readCapped(res.body, MAX_SEARCH_BYTES, 'search answer')).toString('utf8'));
  } catch (err) {
    throw new RegistryError(`${what}: the answer is not valid JSON`, res.status, [], { cause: err });
  }
  if (!Array.isArray(doc.results)) throw new RegistryError(`${what}: the answer has no "results" list`, res.status);
  return doc.results.slice(0, limit).map((r: Record<string, unknown>) => ({
    name: String(r.name ?? '').replace(/^library\//, ''),
    description: typeof r.description === 'string' ? r.description : '',
    stars: typeof r.star_count === 'number' ? r.star_count : 0,
    official: r.is_official === true,
    automated: false,
  }));
}

import { readCapped } from '../util/read-capped.js';
import { RegistryError } from '../errors.js';
import type { RegistryClient } from '../transport/registry-client.js';

const MAX_PAGE_BYTES = 16 * 1024 * 1024;
const MAX_PAGES = 100_000;

/**
 * Follows `Link: <…>; rel="next"` pages of a list endpoint (tags/list, _catalog), calling `take` with each
 * page's JSON. Yields nothing twice: a Link pointing back at a page already seen ends the walk.
 */
export async function forEachPage(
  client: RegistryClient,
  firstPath: string,
  scopes: string[],
  what: string,
  take: (doc: Record<string, unknown>) => void,
): Promise<void> {
  const seen = new Set<string>();
  let next: string | undefined = firstPath;
  for (let page = 0; next && page < MAX_PAGES; page++) {
    seen.add(next);
    const res = await client.request({ method: 'GET', path: next, scopes, what });
    await client.expect(res, [200], 'GET', what);
    const link = res.headers.link;
    const body = await readCapped(res.body, MAX_PAGE_BYTES, 'list page');
    let doc: unknown;
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new RegistryError(`${what}: the registry answered with invalid JSON`, res.status, [], { cause: err });
    }
    if (typeof doc !== 'object' || doc === null) throw new RegistryError(`${what}: unexpected answer`, res.status);
    take(doc as Record<string, unknown>);
    next = nextPath(link, await client.baseUrl());
    if (next && seen.has(next)) break;
  }
}

/** The path+query of the rel="next" link, relative to the registry base. */
export function nextPath(link: string | string[] | undefined, base: URL): string | undefined {
  for (const value of Array.isArray(link) ? link : link ? [link] : []) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const m = /^\s*<([^>]*)>(.*)$/.exec(part);
      if (!m || !/;\s*rel="?next"?/i.test(m[2]!)) continue;
      const url = new URL(m[1]!, base);
      if (url.origin !== base.origin) continue; // never follow a list to another host
      const prefix = base.pathname.replace(/\/$/, '');
      const p = url.pathname.startsWith(prefix + '/v2/') ? url.pathname.slice(prefix.length) : url.pathname;
      return p + url.search;
    }
  }
  return undefined;
}

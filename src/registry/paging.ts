import { MAX_PAGE_BYTES } from '../util/limits.js';
import { createHash } from 'node:crypto';
import { IntegrityError, RegistryError } from '../errors.js';
import { fetchDocument } from '../transport/read-body.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { nameProblem, type NameKind } from '../ref/parse.js';
import { quoteName } from './api-path.js';
import { parseJson } from '../oci/json.js';

/** No real registry needs more: Docker Hub's largest repositories have a few ten thousand tags. */
export const MAX_PAGES = 10_000;
export const MAX_NAMES = 1_000_000;
/** Invalid names warned about one by one; the rest are counted in one line. */
const MAX_NAMED_SKIPS = 10;

/**
 * Every string in the `field` list of a paged endpoint (tags/list → "tags", _catalog → "repositories"),
 * following `Link: <…>; rel="next"`, in order and without duplicates (see forEachPage for where the walk ends).
 * A name that is not a valid `kind` is left out with a warning naming it (the client's onWarning), never returned.
 */
export async function listNames(
  client: RegistryClient,
  firstPath: string,
  scopes: string[],
  what: string,
  field: string,
  kind: NameKind,
  limits: { maxPages: number; maxNames: number } = { maxPages: MAX_PAGES, maxNames: MAX_NAMES },
): Promise<string[]> {
  const names = new Set<string>();
  let skipped = 0;
  await forEachPage(client, firstPath, scopes, what, (bytes, status) => {
    for (const name of pageNames(bytes, field, what, status)) {
      const problem = nameProblem(kind, name);
      if (problem !== undefined) {
        if (++skipped <= MAX_NAMED_SKIPS) client.warn(`${what}: skipped the invalid ${kind} ${quoteName(name)} the registry listed (${problem})`);
        continue;
      }
      names.add(name);
      if (names.size > limits.maxNames) throw tooMany(what, `${limits.maxNames} names`);
    }
  }, limits.maxPages);
  if (skipped > MAX_NAMED_SKIPS) client.warn(`${what}: skipped ${skipped - MAX_NAMED_SKIPS} more invalid names the registry listed`);
  return [...names];
}

/**
 * Calls `take` with the body of each page of a paged endpoint (lists of names, referrers), following
 * `Link: <…>; rel="next"`. The walk ends at a Link that leads back to a page already fetched (compared by URL
 * with its query sorted) or at a page whose body repeats one seen before; a walk past `maxPages` pages fails
 * (RegistryError, exit 1) rather than run forever. A first page that is not 200 throws its typed error.
 */
export async function forEachPage(
  client: RegistryClient,
  firstPath: string,
  scopes: string[],
  what: string,
  take: (bytes: Buffer, status: number) => void,
  maxPages = MAX_PAGES,
): Promise<void> {
  const seenUrls = new Set<string>();
  const seenBodies = new Set<string>();
  let next: string | undefined = firstPath;
  for (let page = 0; next; page++) {
    if (page >= maxPages) throw tooMany(what, `${maxPages} pages`);
    seenUrls.add(normalise(next));
    const path: string = next;
    const { res, bytes } = await fetchDocument(async () => {
      const r = await client.request({ method: 'GET', path, scopes, what });
      return client.expect(r, [200], 'GET', what);
    }, MAX_PAGE_BYTES, 'list page');
    const bodyHash = createHash('sha256').update(bytes).digest('hex');
    if (seenBodies.has(bodyHash)) break; // the same page again under another URL
    seenBodies.add(bodyHash);
    take(bytes, res.status);
    next = nextPath(res.headers.link, await client.baseUrl());
    if (next && seenUrls.has(normalise(next))) break;
  }
}

/** The strings of one page's `field` list; a missing or null list is an empty page. */
export function pageNames(bytes: Buffer, field: string, what: string, status = 200): string[] {
  let doc: unknown;
  try {
    doc = parseJson(bytes, what);
  } catch (err) {
    if (err instanceof IntegrityError) throw err;
    throw new RegistryError(`${what}: the registry answered with invalid JSON`, status, [], { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new RegistryError(`${what}: unexpected answer`, status);
  const list = (doc as Record<string, unknown>)[field];
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new RegistryError(`${what}: "${field}" is not a list`, status);
  return list.filter((v): v is string => typeof v === 'string');
}

function tooMany(what: string, limit: string): RegistryError {
  return new RegistryError(`${what}: the registry kept sending more pages (over ${limit}); stopped`, 200, [], {
    hint: 'a registry that never ends its Link chain is broken or hostile',
  });
}

/** A path+query with its query parameters sorted, so `?n=1&last=a` and `?last=a&n=1` are the same page. */
function normalise(pathAndQuery: string): string {
  const url = new URL(pathAndQuery, 'http://x');
  url.searchParams.sort();
  return url.pathname + url.search;
}

/** The path+query of the rel="next" link, relative to the registry base. */
export function nextPath(link: string | string[] | undefined, base: URL): string | undefined {
  for (const value of Array.isArray(link) ? link : link ? [link] : []) {
    for (const part of value.split(/,(?=\s*<)/)) {
      const m = /^\s*<([^>]*)>(.*)$/.exec(part);
      if (!m || !/;\s*rel="?next"?/i.test(m[2]!)) continue;
      let url: URL;
      try {
        url = new URL(m[1]!, base);
      } catch {
        continue; // not a URL: no next page
      }
      if (url.origin !== base.origin) continue; // never follow a list to another host
      const prefix = base.pathname.replace(/\/$/, '');
      const p = url.pathname.startsWith(prefix + '/v2/') ? url.pathname.slice(prefix.length) : url.pathname;
      return p + url.search;
    }
  }
  return undefined;
}

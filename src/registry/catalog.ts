import { RegistryError } from '../errors.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { catalogScope } from '../transport/scope.js';
import { forEachPage } from './paging.js';

const PAGE_SIZE = 1000;

/** Every repository the registry lists in /v2/_catalog, following Link pages. */
export async function listCatalog(client: RegistryClient, what: string): Promise<string[]> {
  const repos: string[] = [];
  await forEachPage(client, `/v2/_catalog?n=${PAGE_SIZE}`, [catalogScope], what, (doc) => {
    if (doc.repositories === null || doc.repositories === undefined) return;
    if (!Array.isArray(doc.repositories)) throw new RegistryError(`${what}: "repositories" is not a list`, 200);
    for (const r of doc.repositories) if (typeof r === 'string') repos.push(r);
  });
  return repos;
}

import type { RegistryClient } from '../transport/registry-client.js';
import { catalogScope } from '../transport/scope.js';
import { listNames } from './paging.js';

const PAGE_SIZE = 1000;

/** Every repository the registry lists in /v2/_catalog, following Link pages. */
export function listCatalog(client: RegistryClient, what: string): Promise<string[]> {
  return listNames(client, `/v2/_catalog?n=${PAGE_SIZE}`, [catalogScope], what, 'repositories', 'repository');
}

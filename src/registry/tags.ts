import type { RegistryClient } from '../transport/registry-client.js';
import { pullScope } from '../transport/scope.js';
import { listNames } from './paging.js';
import { apiPath } from './api-path.js';

const PAGE_SIZE = 1000; // ECR rejects more

/** Every tag of a repository, following Link pages. */
export function listTags(client: RegistryClient, repository: string, what: string): Promise<string[]> {
  return listNames(client, `${apiPath.tags(repository)}?n=${PAGE_SIZE}`, [pullScope(repository)], what, 'tags', 'tag');
}

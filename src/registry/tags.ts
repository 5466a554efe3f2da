import { RegistryError } from '../errors.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { pullScope } from '../transport/scope.js';
import { forEachPage } from './paging.js';

const PAGE_SIZE = 1000; // ECR rejects more

/** Every tag of a repository, following Link pages. */
export async function listTags(client: RegistryClient, repository: string, what: string): Promise<string[]> {
  const tags: string[] = [];
  await forEachPage(client, `/v2/${repository}/tags/list?n=${PAGE_SIZE}`, [pullScope(repository)], what, (doc) => {
    if (doc.tags === null || doc.tags === undefined) return;
    if (!Array.isArray(doc.tags)) throw new RegistryError(`${what}: "tags" is not a list`, 200);
    for (const t of doc.tags) if (typeof t === 'string') tags.push(t);
  });
  return tags;
}

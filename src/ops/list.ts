import { UsageError } from '../errors.js';
import { parseRepository } from '../ref/parse.js';
import { listCatalog } from '../registry/catalog.js';
import { listTags } from '../registry/tags.js';
import type { OpsContext } from './context.js';
import { sideContext, type CredentialOptions } from './credentials.js';

export interface ListOptions {
  credentials?: CredentialOptions | undefined;
}

/** Every tag of a repository (`alpine`, `localhost:5000/app`). */
export async function tags(ctx: OpsContext, repository: string, opts: ListOptions = {}): Promise<string[]> {
  const ref = parseRepository(repository);
  const client = await (await sideContext(ctx, [ref.registry], opts.credentials)).transport.client(ref.registry);
  return listTags(client, ref.repository, `listing tags of ${ref.registry}/${ref.repository}`);
}

/** Every repository in a registry's catalog. */
export async function catalog(ctx: OpsContext, registry: string, opts: ListOptions = {}): Promise<string[]> {
  const host = registryHost(registry);
  const client = await (await sideContext(ctx, [host], opts.credentials)).transport.client(host);
  return listCatalog(client, `listing the catalog of ${host}`);
}

const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;

/** A bare registry host (`localhost:5000`, `docker.io`); Docker Hub's other names map to `docker.io`. */
export function registryHost(input: string): string {
  const host = input.replace(/\/+$/, '');
  if (!HOST.test(host)) throw new UsageError(`invalid registry "${input}": want HOST[:PORT]`);
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

import { addReferrers, referrersIndexEntries, referrersTag } from '../content/referrers.js';
import type { ReferrerFilter } from '../content/target.js';
import { NotFoundError, RegistryError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { isIndexMediaType, OCI_INDEX } from '../oci/media-types.js';
import type { RegistryClient } from '../transport/registry-client.js';
import { pullScope, pushScope } from '../transport/scope.js';
import { getManifest } from './manifests.js';
import { forEachPage } from './paging.js';
import { apiPath } from './api-path.js';

/**
 * The referrers of `digest` in a repository: `GET /v2/<name>/referrers/<digest>` (Link-paged, `artifactType`
 * filter), or, when the registry answers 404 (no referrers API), the index under the referrers tag
 * `sha256-<hex>`; a missing tag or one not holding an image index means no referrers (spec, "Listing Referrers").
 * The filter is passed on to the registry; the caller applies it to the whole list (the tag schema has no filter).
 */
export async function listReferrers(client: RegistryClient, repository: string, digest: string, filter: ReferrerFilter = {}): Promise<Descriptor[]> {
  const what = `listing referrers of ${client.registry}/${repository}@${digest}`;
  const referrers: Descriptor[] = [];
  let pages = 0;
  const query = filter.artifactType ? `?artifactType=${encodeURIComponent(filter.artifactType)}` : '';
  if (!withoutApi.has(client)) {
    try {
      await forEachPage(client, `${apiPath.referrers(repository, digest)}${query}`, [pullScope(repository)], what, (bytes) => {
        pages++;
        referrers.push(...referrersIndexEntries(bytes, what));
      });
      return referrers;
    } catch (err) {
      if (!(err instanceof NotFoundError) || pages > 0) throw err;
      withoutApi.add(client); // the registry has no referrers API: not asked again by this client
    }
  }
  const index = await readReferrersTag(client, repository, digest, what);
  return index ? referrersIndexEntries(index, what) : [];
}

const withoutApi = new WeakSet<RegistryClient>();

/** The index under the referrers tag of `digest`; undefined when the tag does not exist or holds no index. */
async function readReferrersTag(client: RegistryClient, repository: string, digest: string, what: string): Promise<Buffer | undefined> {
  try {
    const m = await getManifest(client, repository, referrersTag(digest), what);
    return isIndexMediaType(m.mediaType) ? m.bytes : undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * Records referrers of `subject` in the registry's referrers tag, for a registry without the referrers API (its
 * PUT of the referrer answered without `OCI-Subject`). Spec, "Pushing Manifests with Subject": pull the tag's
 * index (a 404 starts from an empty index; anything but an image index is reported and left alone), add the
 * descriptors not listed yet, push it back under the same tag.
 */
export function recordReferrers(client: RegistryClient, repository: string, subject: string, entries: Descriptor[]): Promise<void> {
  // One read-modify-write at a time per tag in this process (concurrent copies of one command share clients).
  const queue = queues.get(client) ?? new Map<string, Promise<void>>();
  queues.set(client, queue);
  const key = `${repository}:${referrersTag(subject)}`;
  const run = (queue.get(key) ?? Promise.resolve()).catch(() => undefined).then(() => updateReferrersTag(client, repository, subject, entries));
  queue.set(key, run);
  return run.finally(() => {
    if (queue.get(key) === run) queue.delete(key);
  });
}

const queues = new WeakMap<RegistryClient, Map<string, Promise<void>>>();

async function updateReferrersTag(client: RegistryClient, repository: string, subject: string, entries: Descriptor[]): Promise<void> {
  const tag = referrersTag(subject);
  const what = `updating the referrers tag ${tag} of ${client.registry}/${repository}`;
  let current: Buffer | undefined;
  try {
    const m = await getManifest(client, repository, tag, what);
    if (!isIndexMediaType(m.mediaType)) {
      throw new RegistryError(`${what}: the tag holds a ${m.mediaType || 'manifest'}, not an image index; it was left alone`, 200, [], {
        hint: 'the referrers were pushed but are not listed; remove or fix that tag',
      });
    }
    current = m.bytes;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const next = addReferrers(current, entries, what);
  if (!next) return;
  const res = await client.request({
    method: 'PUT',
    path: apiPath.manifest(repository, tag),
    headers: { 'content-type': OCI_INDEX },
    body: next,
    scopes: [pushScope(repository)],
    what,
  });
  await client.expect(res, [201, 200], 'PUT', what);
  await res.body.dump();
}

import { RegistryError } from '../errors.js';
import { parseReference } from '../ref/parse.js';
import { headManifest } from '../registry/manifests.js';
import { deleteScope } from '../transport/scope.js';
import type { OpsContext } from './context.js';
import { manifestReference } from './resolve.js';
import { apiPath } from '../registry/api-path.js';

/** Deletes a manifest by digest (a tag is resolved to its digest first); every tag on it goes too. */
export async function deleteImage(ctx: OpsContext, image: string): Promise<string> {
  const ref = parseReference(image);
  const client = await ctx.transport.client(ref.registry);
  const what = `deleting ${ref.name}`;
  const digest = ref.digest ?? (await headManifest(client, ref.repository, manifestReference(ref), what)).digest;
  if (!digest) throw new RegistryError(`${what}: the registry sent no digest for the tag`, 200);
  const res = await client.request({
    method: 'DELETE',
    path: apiPath.manifest(ref.repository, digest),
    scopes: [deleteScope(ref.repository)],
    what,
  });
  if (res.status === 405) {
    await res.body.dump();
    throw new RegistryError(`${what}: the registry does not allow deleting manifests`, 405, [], {
      hint: 'registry:2 needs storage.delete.enabled: true; Docker Hub deletes tags only through its web API',
    });
  }
  await client.expect(res, [202, 200], 'DELETE', what);
  await res.body.dump();
  return digest;
}

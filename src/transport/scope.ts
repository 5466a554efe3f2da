/**
 * Token scopes: `resourcetype[(class)]:resourcename:action[,action]`
 * (distribution docs/spec/auth/scope.md).
 */
export const pullScope = (repository: string): string => `repository:${repository}:pull`;
export const pushScope = (repository: string): string => `repository:${repository}:pull,push`;
export const deleteScope = (repository: string): string => `repository:${repository}:delete,pull,push`;
export const catalogScope = 'registry:catalog:*';

/** Union of scopes: actions for the same resource are merged, order kept stable and sorted. */
export function mergeScopes(...lists: string[][]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const scope of lists.flat()) {
    for (const one of scope.split(' ')) {
      if (!one) continue;
      const at = one.lastIndexOf(':');
      const resource = at > 0 ? one.slice(0, at) : one;
      const actions = at > 0 ? one.slice(at + 1).split(',').filter(Boolean) : [];
      const set = byResource.get(resource) ?? new Set<string>();
      actions.forEach((a) => set.add(a));
      byResource.set(resource, set);
    }
  }
  return [...byResource.entries()]
    .map(([resource, actions]) => (actions.size ? `${resource}:${[...actions].sort().join(',')}` : resource))
    .sort();
}

import { RegistryError } from '../errors.js';
import { nameProblem, type NameKind } from '../ref/parse.js';

/**
 * The registry API's paths, built only from names the reference grammar accepts: a repository, a tag or a digest
 * that came from a registry (a tag list, a `Docker-Content-Digest`) cannot hold `/` or `..` and so can never
 * point a request at another repository or endpoint. The transport then sends the path exactly as joined.
 */
export const apiPath = {
  manifest: (repository: string, reference: string) => `${repo(repository)}/manifests/${checked('tag or digest', reference)}`,
  blob: (repository: string, digest: string) => `${repo(repository)}/blobs/${checked('digest', digest)}`,
  uploads: (repository: string) => `${repo(repository)}/blobs/uploads/`,
  tags: (repository: string) => `${repo(repository)}/tags/list`,
  referrers: (repository: string, digest: string) => `${repo(repository)}/referrers/${checked('digest', digest)}`,
};

const repo = (repository: string) => `/v2/${checked('repository', repository)}`;

function checked(kind: NameKind, value: string): string {
  const problem = nameProblem(kind, value);
  if (problem === undefined) return value;
  throw new RegistryError(`refusing to send a request for the invalid ${kind} ${quoteName(value)}: ${problem}`, 0, [], {
    hint: 'the name came from the registry or a file, not from the reference given',
  });
}

/** A name from a registry for a message: quoted, escaped (JSON), cut at 80 characters. */
export function quoteName(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

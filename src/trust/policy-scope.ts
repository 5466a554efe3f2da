/**
 * Which requirements of a policy apply to an image (containers/image's requirementsForImageRef): the transport's
 * scope equal to the image's identity, else the first of its namespaces the transport has, else the transport's
 * `""`, else the policy's `default`. Only the most specific match applies; the others are ignored.
 *
 * Identities and namespaces, per transport (containers-policy.json(5)):
 * - docker (and docker-daemon, and regctl's `local` store, named like docker): the fully expanded reference
 *   `HOST[:PORT]/PATH:TAG` (or `@DIGEST`), then the repository `HOST[:PORT]/PATH`, each parent namespace, the
 *   host with its port, then wildcards of the host without its port (`*.example.com`, `*.com`).
 * - oci, oci-archive: the absolute path with symlinks resolved, then each parent directory (never `/`).
 * - docker-archive, and docker-daemon images named by ID: only `""`.
 */
import { DEFAULT_TAG, type Reference } from '../ref/reference.js';
import { impliedTag } from '../ref/selector.js';
import type { Policy, PolicyRequirement } from './policy.js';

/** An image as a policy sees it. */
export interface PolicySubject {
  /** The policy's transport name: `docker`, `oci`, `oci-archive`, `docker-archive`, `docker-daemon`, `local`. */
  transport: string;
  /** The most specific scope (containers/image's PolicyConfigurationIdentity); `""` when the transport has none. */
  identity: string;
  /** Less specific scopes, most specific first (PolicyConfigurationNamespaces). */
  namespaces: string[];
  /** The image's docker reference, which signedIdentity compares a signature's claim with; none for paths. */
  reference?: DockerIdentity;
}

/** A docker reference in its parts: `name` is `HOST[:PORT]/PATH`, fully expanded. */
export interface DockerIdentity {
  name: string;
  tag?: string;
  digest?: string;
}

/** The requirements that apply, and the scope they were found under (for messages). */
export interface ScopeMatch {
  /** `transports.docker["HOST/NS"]`, `transports.oci[""]` or `default`. */
  scope: string;
  requirements: PolicyRequirement[];
}

export function requirementsFor(policy: Policy, subject: PolicySubject): ScopeMatch {
  const scopes = policy.transports[subject.transport];
  if (scopes) {
    for (const name of [subject.identity, ...subject.namespaces, '']) {
      const reqs = Object.prototype.hasOwnProperty.call(scopes, name) ? scopes[name] : undefined;
      if (reqs) return { scope: `transports.${subject.transport}[${JSON.stringify(name)}]`, requirements: reqs };
    }
  }
  return { scope: 'default', requirements: policy.default };
}

/** A docker-named image: its reference's identity and namespaces. A reference with a tag and a digest is the digest's. */
export function dockerSubject(transport: string, ref: Pick<Reference, 'registry' | 'repository' | 'tag' | 'digest'>): PolicySubject {
  const name = `${ref.registry}/${ref.repository}`;
  // containers/image's docker transport: a digest wins; no tag nor digest means the default tag.
  const reference: DockerIdentity = { name, ...(ref.digest ? { digest: ref.digest } : { tag: impliedTag(ref) ?? DEFAULT_TAG }) };
  return { transport, identity: identityString(reference), namespaces: dockerNamespaces(name), reference };
}

/** `name[:tag][@digest]`, as distribution's reference String() writes it. */
export function identityString(ref: DockerIdentity): string {
  return `${ref.name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The repository, its parent namespaces up to the host[:port], then `*.` wildcards of the host without its port. */
export function dockerNamespaces(name: string): string[] {
  const out: string[] = [];
  let n = name;
  for (;;) {
    out.push(n);
    const slash = n.lastIndexOf('/');
    if (slash === -1) break;
    n = n.slice(0, slash);
  }
  const colon = n.indexOf(':');
  if (colon !== -1) n = n.slice(0, colon);
  for (let dot = n.indexOf('.'); dot !== -1; dot = n.indexOf('.')) {
    n = n.slice(dot + 1);
    out.push(`*.${n}`);
  }
  return out;
}

/** A path-scoped image (oci:, oci-archive:): `resolved` is absolute with symlinks resolved. */
export function pathSubject(transport: string, resolved: string): PolicySubject {
  const namespaces: string[] = [];
  for (let p = resolved; p !== '/' && p.lastIndexOf('/') !== -1; p = p.slice(0, p.lastIndexOf('/'))) {
    namespaces.push(p);
  }
  return { transport, identity: resolved, namespaces: namespaces.slice(1) };
}

/** An image a transport gives no scope (docker-archive, an image ID in docker-daemon): only `""` applies. */
export function unscopedSubject(transport: string, reference?: DockerIdentity): PolicySubject {
  return { transport, identity: '', namespaces: [], ...(reference ? { reference } : {}) };
}

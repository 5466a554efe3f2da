/**
 * The trust policy on transfers (copy, pull, sync, copyAllTags, save from a registry, load): which policy applies
 * (the call's `policy`, else regctl's config `policy:`, else none — and then nothing changes), how a location is
 * named to it (its transport and scope), and the gate every image passes before any of its blobs moves: the
 * source's reference resolved once, that digest judged (trust/policy-eval.ts), and the copy then made from a source
 * pinned to exactly that digest (a tag moved meanwhile does not slip another image through).
 */
import { realpath, stat } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { memoSource } from '../content/memo-source.js';
import { resolveImage, type PlatformChoice } from '../content/resolve.js';
import type { SourceTarget } from '../content/target.js';
import type { Descriptor } from '../oci/manifest.js';
import { platformMatches, type Platform } from '../oci/platform.js';
import { parseReference } from '../ref/parse.js';
import { isDigest } from '../ref/selector.js';
import { readPolicyFile, type Policy } from '../trust/policy.js';
import { evaluatePolicy, type PolicyVerdict } from '../trust/policy-eval.js';
import { dockerSubject, pathSubject, unscopedSubject, type DockerIdentity, type PolicySubject } from '../trust/policy-scope.js';
import { loadRegistriesD, registriesDir, useSigstoreAttachments } from '../trust/registries-d.js';
import type { OpsContext } from './context.js';
import { splitPathAndRef } from './transports/oci.js';
import type { ImageLocation } from './transports/index.js';

export type { Policy } from '../trust/policy.js';
export type { PolicyVerdict } from '../trust/policy-eval.js';

/** A transfer's `policy` option: a policy.json path, `system`, or a policy already read. */
export type PolicyOption = string | Policy;

/** containers/image's default policy file: the user's when it exists, else the system's. */
export async function systemPolicyPath(homedir: string): Promise<string> {
  const user = join(homedir, '.config', 'containers', 'policy.json');
  return (await stat(user).then(() => true, () => false)) ? user : '/etc/containers/policy.json';
}

/** The policy a transfer runs under: the option, else regctl's config's `policy`; undefined: none. */
export async function transferPolicy(ctx: OpsContext, given: PolicyOption | undefined): Promise<Policy | undefined> {
  const spec = given ?? ctx.settings.policy;
  if (spec === undefined) return undefined;
  if (typeof spec !== 'string') return spec;
  return readPolicyFile(spec === 'system' ? await systemPolicyPath(ctx.homedir) : spec);
}

/** How the policy names the image a location holds: its transport's name and scopes. */
export async function locationSubject(loc: ImageLocation): Promise<PolicySubject> {
  const name = loc.transport.name;
  const rest = loc.text.slice(loc.text.indexOf(':') + 1);
  switch (name) {
    case 'docker':
      return dockerSubject('docker', parseReference(loc.text.replace(/^docker:\/\//, '')));
    case 'oci':
    case 'oci-archive': {
      const { path } = splitPathAndRef(rest, loc.text, name);
      return pathSubject(name, await resolvedPath(path));
    }
    case 'docker-daemon':
      // An image ID has no scope but "" (containers/image); a name is scoped as docker's.
      return isDigest(rest) || /^[a-f0-9]{64}$/.test(rest) ? unscopedSubject(name) : dockerSubject(name, parseReference(rest));
    case 'docker-archive': {
      const at = rest.indexOf(':');
      return unscopedSubject(name, at >= 0 ? dockerIdentity(rest.slice(at + 1)) : undefined);
    }
    default:
      // regctl's own store (`local:IMAGE`), named like docker.
      return dockerSubject(name, parseReference(rest));
  }
}

/** The subject of a registry image named by reference (sync, save): docker's scopes. */
export function registrySubject(reference: string): PolicySubject {
  return dockerSubject('docker', parseReference(reference));
}

/** An image read out of a docker archive being loaded: only the `""` scope of `docker-archive`. */
export function archiveSubject(name: string | undefined): PolicySubject {
  return unscopedSubject('docker-archive', name ? dockerIdentity(name) : undefined);
}

function dockerIdentity(text: string): DockerIdentity | undefined {
  try {
    return dockerSubject('docker', parseReference(text)).reference;
  } catch {
    return undefined;
  }
}

/** containers/image scopes paths resolved: absolute, symlinks resolved (as far as they exist). */
async function resolvedPath(path: string): Promise<string> {
  const abs = resolvePath(path);
  return realpath(abs).catch(() => abs);
}

/** What the gate lets through: the source pinned to the digest judged, and the verdict. */
export interface Admitted {
  source: SourceTarget;
  verdict: PolicyVerdict;
  /** The manifest judged (what the reference resolved to). */
  top: Descriptor;
}

export interface AdmitOptions extends PlatformChoice {
  /** Several platforms taken out of an index (a new index of those). */
  platforms?: Platform[];
  signal?: AbortSignal | undefined;
}

/**
 * Resolves `src` once, judges that digest under `policy` (NotTrustedError, exit 7, when refused), and returns the
 * source pinned to it: its `resolve()` and `head()` give that descriptor from then on. Nothing is written anywhere.
 */
export async function admit(ctx: OpsContext, policy: Policy, subject: PolicySubject, description: string, src: SourceTarget, opts: AdmitOptions = {}): Promise<Admitted> {
  const source = pinned(src);
  const resolved = await resolveImage(source, { ...(opts.platform ? { platform: opts.platform } : {}), strict: opts.strict ?? false });
  const top = resolved.source;
  let images: Descriptor[] | undefined;
  if (resolved.top.digest !== top.digest) images = [resolved.top];
  else if (resolved.doc.kind === 'index') {
    const list = opts.platforms;
    images = resolved.doc.manifests.filter((m) => !list || (m.platform !== undefined && list.some((p) => platformMatches(p, m.platform!))));
  }
  const formats = subject.reference && (await attachments(ctx, subject.reference)) === false ? (['bundle'] as const) : undefined;
  const verdict = await evaluatePolicy(policy, {
    subject,
    description,
    source,
    top,
    ...(images ? { images } : {}),
    ...(formats ? { formats: [...formats] } : {}),
  }, opts.signal);
  return { source, verdict, top };
}

/**
 * Whether a copy the policy accepted brings the image's signatures along by default: when a requirement needed
 * signatures, unless the destination's registries.d entry says `use-sigstore-attachments: false`.
 */
export async function bringsSignatures(ctx: OpsContext, verdict: PolicyVerdict, destination?: PolicySubject): Promise<boolean> {
  if (!verdict.signed) return false;
  return !(destination?.reference && (await attachments(ctx, destination.reference)) === false);
}

/** registries.d's `use-sigstore-attachments` for a docker reference (undefined: nothing says). Read afresh each time. */
async function attachments(ctx: OpsContext, ref: DockerIdentity): Promise<boolean | undefined> {
  return useSigstoreAttachments(await loadRegistriesD(await registriesDir(ctx.homedir)), ref);
}

/** The source with its first resolution kept: what is judged is what is copied. */
function pinned(src: SourceTarget): SourceTarget {
  const memo = memoSource(src);
  return new Proxy(memo, {
    get(target, prop) {
      if (prop === 'head') return () => target.resolve();
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * signedIdentity: does the docker reference a signature claims (`critical.identity.docker-reference`) fit the image
 * being checked? As containers/image's policy_reference_match.go decides it:
 *
 * - matchExact: the claim names a tag or digest, and equals the image's reference.
 * - matchRepoDigestOrExact (the default): an image named by tag needs exactly that claim; one named by digest only
 *   needs a claim (with a tag or digest) in the same repository.
 * - matchRepository: same repository (cosign writes the repository only: this is what accepts its signatures).
 * - exactReference / exactRepository: the claim equals a reference / is in a repository the policy names (for
 *   mirrors: the image is checked under its upstream name).
 * - remapIdentity: the image's reference with `prefix` replaced by `signedPrefix`, then matchRepoDigestOrExact.
 *
 * Images without a docker reference (oci:, oci-archive:) fit only exactReference and exactRepository.
 */
import { parseReference } from '../ref/parse.js';
import type { SignedIdentity } from './policy.js';
import { identityString, type DockerIdentity } from './policy-scope.js';

/** undefined when the claim fits, else why not. */
export function identityProblem(rule: SignedIdentity, image: DockerIdentity | undefined, claimed: string): string | undefined {
  const sig = parse(claimed);
  if (!sig) return `the signature claims ${JSON.stringify(claimed)}, which is not a docker reference`;
  const says = `the signature claims ${identityString(sig)}`;
  switch (rule.type) {
    case 'exactReference': {
      const want = parse(rule.dockerReference);
      if (!want || nameOnly(want)) return `exactReference ${JSON.stringify(rule.dockerReference)} is not a reference with a tag or digest`;
      return !nameOnly(sig) && identityString(sig) === identityString(want) ? undefined : `${says}, not ${identityString(want)} (exactReference)`;
    }
    case 'exactRepository': {
      const want = parse(rule.dockerRepository);
      if (!want) return `exactRepository ${JSON.stringify(rule.dockerRepository)} is not a repository name`;
      return sig.name === want.name ? undefined : `${says}, not repository ${want.name} (exactRepository)`;
    }
    default:
      break;
  }
  if (!image) return `${rule.type} needs an image with a docker reference; this one has none (use exactReference or exactRepository)`;
  switch (rule.type) {
    case 'matchExact':
      return !nameOnly(sig) && identityString(sig) === identityString(image) ? undefined : `${says}, not ${identityString(image)} (matchExact)`;
    case 'matchRepository':
      return sig.name === image.name ? undefined : `${says}, not repository ${image.name} (matchRepository)`;
    case 'matchRepoDigestOrExact':
      return repoDigestOrExact(image, sig) ? undefined : `${says}, not ${describeRepoDigestOrExact(image)} (matchRepoDigestOrExact)`;
    case 'remapIdentity': {
      const remapped = remap(image, rule.prefix, rule.signedPrefix);
      if (!remapped) return `${identityString(image)} cannot be remapped from ${rule.prefix} to ${rule.signedPrefix} (remapIdentity)`;
      return repoDigestOrExact(remapped, sig) ? undefined : `${says}, not ${describeRepoDigestOrExact(remapped)} (remapIdentity ${rule.prefix} → ${rule.signedPrefix})`;
    }
  }
}

function repoDigestOrExact(image: DockerIdentity, sig: DockerIdentity): boolean {
  if (nameOnly(sig)) return false;
  if (image.tag !== undefined) return identityString(sig) === identityString(image);
  if (image.digest !== undefined) return sig.name === image.name;
  return false;
}

function describeRepoDigestOrExact(image: DockerIdentity): string {
  return image.tag !== undefined ? identityString(image) : `a tag or digest of ${image.name}`;
}

/**
 * containers/image's remapReferencePrefix: when the image's name is the prefix or under it, the prefix replaced by
 * `signedPrefix` (undefined when that makes no reference in canonical form); else the image unchanged.
 */
export function remap(image: DockerIdentity, prefix: string, signedPrefix: string): DockerIdentity | undefined {
  const name = image.name;
  if (!(name === prefix || (name.startsWith(prefix) && name[prefix.length] === '/'))) return image;
  const text = identityString(image).replace(prefix, signedPrefix);
  const parsed = parse(text);
  // ParseNamed: the remapped reference must already be in canonical (fully expanded) form.
  return parsed && identityString(parsed) === text ? parsed : undefined;
}

function nameOnly(ref: DockerIdentity): boolean {
  return ref.tag === undefined && ref.digest === undefined;
}

/** A reference as ParseNormalizedNamed reads it, keeping the tag and digest as given (none added); undefined if invalid. */
export function parse(text: string): DockerIdentity | undefined {
  // containers/image's reference parser (its fork of distribution's) takes a first component as a host only for
  // a ".", a ":" or "localhost"; an uppercase one is then a docker.io path, and invalid.
  const first = text.split('/')[0]!;
  if (text.includes('/') && !/[.:]/.test(first) && first !== 'localhost' && first !== first.toLowerCase()) return undefined;
  try {
    const r = parseReference(text);
    return { name: `${r.registry}/${r.repository}`, ...(r.tag !== undefined ? { tag: r.tag } : {}), ...(r.digest !== undefined ? { digest: r.digest } : {}) };
  } catch {
    return undefined;
  }
}

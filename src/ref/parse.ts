/**
 * Image-reference parsing, following distribution/reference's `ParseNormalizedNamed`
 * (github.com/distribution/reference v0.6: normalize.go, reference.go, regexp.go) and
 * go-digest's `Digest.Validate` for the digest part.
 *
 * Grammar (EBNF; `/…/` are regular expressions, all anchored):
 *
 *   reference          ::= name [ ":" tag ] [ "@" digest ]
 *   name               ::= [ domain "/" ] path
 *   domain             ::= host [ ":" port ]
 *   host               ::= domain-name | "[" ipv6 "]"
 *   domain-name        ::= domain-component { "." domain-component }
 *   domain-component   ::= /[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]/
 *   ipv6               ::= /[a-fA-F0-9:]+/          (no zone ids, no embedded IPv4)
 *   port               ::= /[0-9]+/            (no range: 75050 parses; connecting refuses it, like docker)
 *   path               ::= path-component { "/" path-component }      (at most 255 characters)
 *   path-component     ::= alpha-numeric { separator alpha-numeric }
 *   alpha-numeric      ::= /[a-z0-9]+/
 *   separator          ::= /[._]|__|[-]+/
 *   tag                ::= /[\w][\w.-]{0,127}/
 *   digest             ::= algorithm ":" hex
 *   algorithm          ::= algorithm-component { /[-_+.]/ algorithm-component }
 *   algorithm-component::= /[A-Za-z]/ { /[A-Za-z0-9]/ }
 *   hex                ::= /[0-9a-fA-F]{32,}/
 *                          and, per go-digest: sha256 = 64, sha384 = 96, sha512 = 128
 *                          lowercase hex; every other algorithm is unsupported (digest-algorithms.ts).
 *
 * Normalization (distribution's splitDockerDomain):
 *   - No "/" at all: the input is a Docker Hub official image, `docker.io/library/<input>`
 *     (so `localhost:5000` is `docker.io/library/localhost` with tag `5000`, as in docker).
 *   - Otherwise the first component is a domain when it is `localhost`, contains "." or ":",
 *     or contains an uppercase letter (namespaces cannot be uppercase, so `FOO/bar` is
 *     registry `FOO`, repository `bar`). `index.docker.io` becomes `docker.io`.
 *     Anything else is a Docker Hub path (`foo/bar` → `docker.io/foo/bar`).
 *   - On `docker.io`, a single-component path gets `library/` (`docker.io/ubuntu` →
 *     `docker.io/library/ubuntu`).
 *   - The repository (everything after the domain up to the first ":") must be lowercase.
 *   - A bare 64-character lowercase hex string is refused (it looks like an image id).
 *   - The 255-character limit applies to the path only (distribution/reference ≥ v0.6
 *     checks `len(path)`; docker/distribution 2.8 checked the whole name). The path is
 *     measured after normalization, so `library/` counts for official images.
 *
 * Output: `name` is TagNameOnly(ref).String() — `:latest` is added only when there is
 * neither tag nor digest — and `familiar` is docker's FamiliarString of the parsed input,
 * which adds no tag: `ubuntu` gives `docker.io/library/ubuntu:latest` and `ubuntu`, as
 * FamiliarString(ParseNormalizedNamed("ubuntu")) does. Both tag and digest are kept when both are given.
 *
 * Deliberate deviations from distribution:
 *   - A first component with "." but which is not a valid host (`a_b.com/x`) is parsed by
 *     distribution as a reference with an *empty* domain and path `a_b.com/x`, which no
 *     client can pull; we reject it (ERR_REF_FORMAT, "invalid registry host").
 *   - Errors are classified more finely (tag/digest/too-long/uppercase) and name the input.
 *
 * All regular expressions below are linear: every repetition is delimited by a character
 * the repeated part cannot match, and input is split on "/", ":" and "@" before matching.
 */
import { InvalidReferenceError, type ErrorCode } from '../errors.js';
import { DIGEST_ALGORITHMS, digestAlgorithm, SUPPORTED_ALGORITHMS } from './digest-algorithms.js';
import { DEFAULT_TAG, type Reference } from './reference.js';

export const DEFAULT_REGISTRY = 'docker.io';
const LEGACY_REGISTRY = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
/** Maximum length of a repository path (distribution's RepositoryNameTotalLengthMax). */
export const MAX_PATH_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`,
);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^\w[\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** A repository without tag or digest, as returned by {@link parseRepository}. */
export interface RepositoryName {
  /** Registry host: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path within the registry: `library/ubuntu`. */
  repository: string;
  /** `registry/repository`, no tag. */
  name: string;
  /** Docker's familiar form without tag: `ubuntu`, `foo/bar`, `localhost:5000/x`. */
  familiar: string;
}

/** Parses an image reference (`ubuntu`, `foo/bar:tag`, `reg:5000/x@sha256:…`) into its normalized form. */
export function parseReference(input: string): Reference {
  const p = parseParts(input);
  return buildReference(p.registry, p.repository, p.tag, p.digest);
}

/** Parses a repository name (`ubuntu`, `localhost:5000/app`); a tag or digest is an error. */
export function parseRepository(input: string): RepositoryName {
  const p = parseParts(input);
  if (p.tag !== undefined || p.digest !== undefined) {
    const portLike = p.tag !== undefined && p.digest === undefined && !input.includes('/') && /^[0-9]+$/.test(p.tag);
    throw fail('ERR_REF_FORMAT', input, 'a repository name must not have a tag or digest', portLike
      ? `"${input}" reads as repository "${p.familiarPath}" with tag "${p.tag}"; to name a repository on a registry write ${input}/REPOSITORY`
      : 'drop the ":TAG" or "@DIGEST" part');
  }
  const name = `${p.registry}/${p.repository}`;
  return { registry: p.registry, repository: p.repository, name, familiar: familiarName(p.registry, p.repository) };
}

/**
 * The canonical string of a reference: `registry/repository[:tag][@digest]`, with `:latest`
 * when there is neither tag nor digest (distribution's TagNameOnly + String).
 */
export function formatReference(ref: Pick<Reference, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  return `${ref.registry}/${ref.repository}${suffix(ref.tag, ref.digest)}`;
}

/** Docker's familiar string of a reference (`ubuntu`, `ubuntu:22.04`, `foo/bar@sha256:…`): no tag is added. */
export function familiarReference(ref: Pick<Reference, 'registry' | 'repository' | 'tag' | 'digest'>): string {
  return familiarName(ref.registry, ref.repository) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** A copy of `ref` pointing at `digest` (tag kept, like distribution's WithDigest). */
export function withDigest(ref: Reference, digest: string): Reference {
  return buildReference(ref.registry, ref.repository, ref.tag, parseDigest(digest));
}

/** A copy of `ref` with `tag` instead of its tag and digest. */
export function withTag(ref: Reference, tag: string): Reference {
  if (!TAG_RE.test(tag)) throw fail('ERR_REF_TAG', tag, `invalid tag "${clip(tag)}": want [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
  return buildReference(ref.registry, ref.repository, tag, undefined);
}

/** True when `tag` is a valid tag. */
export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/**
 * Whether `input` names its registry host (`localhost:5000/app`, `ghcr.io/me/app`, `docker.io/me/app`) rather than
 * leaving Docker Hub implied (`alpine`, `me/app`): the first of several components is a domain (splitDockerDomain).
 */
export function namesRegistry(input: string): boolean {
  const slash = input.indexOf('/');
  return slash >= 0 && isDomain(input.slice(0, slash));
}

/** A first component that is a registry host: `localhost`, or with a "." or ":", or uppercase (no namespace is). */
function isDomain(first: string): boolean {
  return first === 'localhost' || first.includes('.') || first.includes(':') || first.toLowerCase() !== first;
}

/** The grammars a name read from a registry, an archive or a file is checked against (see {@link nameProblem}). */
export type NameKind = 'tag' | 'digest' | 'repository' | 'tag or digest';

/**
 * Why `value` is not a valid `kind`, or undefined when it is: a tag, a digest, either (what follows `/manifests/`),
 * or a repository path without registry (`library/alpine`). Every name that does not come from the user — tag
 * lists, `_catalog`, sync files, archives, headers — passes here before it reaches a URL or a file path, so none
 * can hold `/`, `..`, control characters or more than the grammar's length.
 */
export function nameProblem(kind: NameKind, value: string): string | undefined {
  if (kind === 'tag or digest') return nameProblem(value.includes(':') ? 'digest' : 'tag', value);
  if (kind === 'digest') return digestProblem(value);
  if (kind === 'tag') return TAG_RE.test(value) ? undefined : 'a tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"';
  if (value.length > MAX_PATH_LENGTH) return `a repository name has at most ${MAX_PATH_LENGTH} characters`;
  return value.split('/').every((c) => PATH_COMPONENT_RE.test(c)) ? undefined
    : 'a repository name is lowercase path components of letters and digits, separated by "/"';
}

/**
 * Validates a digest (`sha256:…`) as distribution/reference + go-digest do and returns it.
 * Throws InvalidReferenceError `ERR_REF_DIGEST`.
 */
export function parseDigest(digest: string, input: string = digest): string {
  const problem = digestProblem(digest);
  if (problem) throw fail('ERR_REF_DIGEST', input, problem);
  return digest;
}

// ---------------------------------------------------------------------------------------------

interface Parts {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  familiarPath: string;
}

function parseParts(input: string): Parts {
  if (input === '') throw new InvalidReferenceError('ERR_REF_EMPTY', 'invalid reference: empty', { hint: 'give an image such as "alpine" or "ghcr.io/owner/app:tag"' });

  const scheme = SCHEME_RE.exec(input);
  if (scheme) {
    const rest = input.slice(scheme[0].length);
    throw fail('ERR_REF_FORMAT', input, `a reference has no URL scheme ("${scheme[1]}://")`, `drop the scheme${rest ? `: "${clip(rest)}"` : ''}`);
  }
  if (/\s/.test(input)) throw fail('ERR_REF_FORMAT', input, 'must not contain whitespace');
  if (IDENTIFIER_RE.test(input)) {
    throw fail('ERR_REF_FORMAT', input, 'cannot specify 64-byte hexadecimal strings', `to refer to an image by digest use NAME@sha256:${input}`);
  }

  // splitDockerDomain
  let registry: string;
  let remainder: string;
  const slash = input.indexOf('/');
  if (slash < 0) {
    registry = DEFAULT_REGISTRY;
    remainder = OFFICIAL_PREFIX + input;
  } else {
    const first = input.slice(0, slash);
    const rest = input.slice(slash + 1);
    if (first === LEGACY_REGISTRY) [registry, remainder] = [DEFAULT_REGISTRY, rest];
    else if (isDomain(first)) [registry, remainder] = [first, rest];
    else [registry, remainder] = [DEFAULT_REGISTRY, input];
    if (registry === DEFAULT_REGISTRY && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  }

  // ParseNormalizedNamed's lowercase check: everything after the domain up to the first ":".
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    const at = remote.indexOf('@');
    if (at >= 0 && remote.slice(0, at).toLowerCase() === remote.slice(0, at)) {
      throw fail('ERR_REF_DIGEST', input, 'digest algorithm must be lowercase');
    }
    throw fail('ERR_REF_UPPERCASE', input, 'repository name must be lowercase', 'repository names must be lowercase');
  }

  // Parse(domain + "/" + remainder): split off "@digest", then ":tag" in the last path segment.
  let namePart = remainder;
  let digest: string | undefined;
  const at = remainder.indexOf('@');
  if (at >= 0) {
    namePart = remainder.slice(0, at);
    digest = remainder.slice(at + 1);
  }
  let tag: string | undefined;
  const lastSlash = namePart.lastIndexOf('/');
  const tagColon = namePart.indexOf(':', lastSlash + 1);
  if (tagColon >= 0) {
    tag = namePart.slice(tagColon + 1);
    namePart = namePart.slice(0, tagColon);
  }

  if (!DOMAIN_RE.test(registry)) {
    const lower = registry.toLowerCase();
    if (lower !== registry && PATH_COMPONENT_RE.test(lower)) {
      throw fail('ERR_REF_UPPERCASE', input, 'repository name must be lowercase', 'repository names must be lowercase');
    }
    throw fail('ERR_REF_FORMAT', input, `invalid registry host "${clip(registry)}"`, 'a registry is HOST[:PORT] (letters, digits, "-" and "."), or [IPv6][:PORT]');
  }

  const components = namePart.split('/');
  let upper = false;
  for (const c of components) {
    if (c === '') {
      throw fail('ERR_REF_FORMAT', input, namePart === '' ? 'missing repository name' : 'empty path component (leading, trailing or double "/")');
    }
    if (PATH_COMPONENT_RE.test(c)) continue;
    if (PATH_COMPONENT_RE.test(c.toLowerCase())) {
      upper = true;
      continue;
    }
    throw fail('ERR_REF_FORMAT', input, `invalid path component "${clip(c)}"`,
      'path components are lowercase letters and digits, separated by ".", "_", "__" or "-" (not at the start or end)');
  }
  if (upper) throw fail('ERR_REF_UPPERCASE', input, 'repository name must be lowercase', 'repository names must be lowercase');

  if (tag !== undefined) {
    if (tag === '') throw fail('ERR_REF_FORMAT', input, 'missing tag after ":"');
    if (!TAG_RE.test(tag)) {
      throw fail('ERR_REF_TAG', input, `invalid tag "${clip(tag)}"`, 'a tag is up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"');
    }
  }
  if (digest !== undefined && (digest === '' || digest.includes('@'))) {
    throw fail('ERR_REF_DIGEST', input, digest === '' ? 'missing digest after "@"' : 'invalid digest format');
  }
  if (digest !== undefined && !DIGEST_RE.test(digest)) throw fail('ERR_REF_DIGEST', input, digestProblem(digest) ?? 'invalid digest format');

  if (namePart.length > MAX_PATH_LENGTH) {
    throw fail('ERR_REF_TOO_LONG', input, `repository name must not be more than ${MAX_PATH_LENGTH} characters (has ${namePart.length})`);
  }

  if (digest !== undefined) parseDigest(digest, input);

  return { registry, repository: namePart, tag, digest, familiarPath: familiarName(registry, namePart) };
}

function digestProblem(d: string): string | undefined {
  const colon = d.indexOf(':');
  if (colon <= 0) return 'invalid digest format: want ALGORITHM:HEX (e.g. sha256:…)';
  const alg = d.slice(0, colon);
  const hex = d.slice(colon + 1);
  if (!DIGEST_RE.test(d)) {
    if (!/^[0-9a-fA-F]*$/.test(hex)) return 'invalid digest format: the encoded part must be hexadecimal';
    if (hex.length < 32) return 'invalid digest format: the encoded part must have at least 32 hex characters';
    return 'invalid digest format';
  }
  const supported = digestAlgorithm(d);
  if (!supported) return `unsupported digest algorithm "${clip(alg)}" (supported: ${SUPPORTED_ALGORITHMS})`;
  const known = DIGEST_ALGORITHMS[supported];
  if (hex.length !== known.hexLength || !/^[0-9a-f]+$/.test(hex)) {
    return `invalid ${alg} digest: want ${known.hexLength} lowercase hex characters, got ${hex.length}${/[A-F]/.test(hex) ? ' (with uppercase)' : ''}`;
  }
  return undefined;
}

function buildReference(registry: string, repository: string, tag: string | undefined, digest: string | undefined): Reference {
  const ref: Reference = { registry, repository, name: '', familiar: '' };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  ref.name = formatReference(ref);
  ref.familiar = familiarReference(ref);
  return ref;
}

function suffix(tag: string | undefined, digest: string | undefined): string {
  if (tag === undefined && digest === undefined) return `:${DEFAULT_TAG}`;
  return (tag !== undefined ? `:${tag}` : '') + (digest !== undefined ? `@${digest}` : '');
}

/** distribution's familiarizeName: drop `docker.io/`, and `library/` when the rest is one component. */
function familiarName(registry: string, repository: string): string {
  if (registry !== DEFAULT_REGISTRY) return `${registry}/${repository}`;
  if (repository.startsWith(OFFICIAL_PREFIX)) {
    const rest = repository.slice(OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return repository;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function fail(code: ErrorCode, input: string, problem: string, hint?: string): InvalidReferenceError {
  return new InvalidReferenceError(code, `invalid reference ${JSON.stringify(clip(input))}: ${problem}`, hint === undefined ? undefined : { hint });
}

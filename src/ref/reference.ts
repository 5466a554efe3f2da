/**
 * The one model of "a repository and which manifest of it": a Reference is a repository plus a selector — a tag, a
 * digest, or both. The rules about selectors (default tag, "is this by digest", which manifest to ask for, which
 * tag a copy writes) are in selector.ts; nothing else sniffs tags and digests.
 */

/** A tag, a digest, or both: which manifest of a repository. */
export interface Selector {
  /** Tag, when one was given. */
  tag?: string;
  /** Digest (`sha256:…`), when one was given. */
  digest?: string;
}

/** A parsed, normalized image reference (see parse.ts for the grammar). */
export interface Reference extends Selector {
  /** Registry host as in the normalized name: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path within the registry: `library/ubuntu`, `foo/bar`. */
  repository: string;
  /** Full normalized name: registry/repository[:tag][@digest], `:latest` added when neither tag nor digest. */
  name: string;
  /** Docker's familiar form (FamiliarString): drops `docker.io/` and `library/`, keeps the tag/digest given, adds none. */
  familiar: string;
}

/** The tag a reference without tag or digest means. */
export const DEFAULT_TAG = 'latest';

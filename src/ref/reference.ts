/** A parsed, normalized image reference (see parse.ts for the grammar). */
export interface Reference {
  /** Registry host as in the normalized name: `docker.io`, `localhost:5000`, `[::1]:5000`. */
  registry: string;
  /** Repository path within the registry: `library/ubuntu`, `foo/bar`. */
  repository: string;
  /** Tag, when one was given. */
  tag?: string;
  /** Digest (`sha256:…`), when one was given. */
  digest?: string;
  /** Full normalized name: registry/repository[:tag][@digest], `:latest` added when neither tag nor digest. */
  name: string;
  /** Docker's familiar form (FamiliarString): drops `docker.io/` and `library/`, keeps the tag/digest given, adds none. */
  familiar: string;
}

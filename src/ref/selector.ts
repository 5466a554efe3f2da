/**
 * The rules about selectors (see reference.ts): "is this by digest", which manifest to ask a registry for, the
 * default tag, and which tag a copy writes at a destination. Nothing else sniffs tags and digests.
 */
import { isValidTag, parseDigest } from './parse.js';
import { DEFAULT_TAG, type Selector } from './reference.js';

/**
 * Is this selector string (what a tag list, a sync file or `at()` holds) a digest rather than a tag? A tag cannot
 * contain ":", a digest always does.
 */
export function isDigest(selector: string): boolean {
  return selector.includes(':');
}

/** A selector string (a tag or a digest), checked: InvalidReferenceError for a malformed tag or digest. */
export function parseSelector(selector: string): Selector {
  if (isDigest(selector) || !isValidTag(selector)) return { digest: parseDigest(selector) };
  return { tag: selector };
}

/** The selector as one string (what registries take in `/manifests/<reference>`): the digest wins, like docker. */
export function manifestReference(sel: Selector): string {
  return sel.digest ?? sel.tag ?? DEFAULT_TAG;
}

/** The selector the reference itself gives (its digest, else its tag); none when it gives neither (the default applies). */
export function givenSelector(sel: Selector): string | undefined {
  return sel.digest ?? sel.tag;
}

/** Names a digest and no tag: a copy from it writes by digest only and never moves a tag. */
export function isDigestOnly(sel: Selector): boolean {
  return sel.digest !== undefined && sel.tag === undefined;
}

/** The tag the reference names or implies: its own, none for a digest reference, else `latest`. */
export function impliedTag(sel: Selector): string | undefined {
  return sel.tag ?? (sel.digest === undefined ? DEFAULT_TAG : undefined);
}

/**
 * The tag a copy gives the image it writes at a destination named by `dest` (a name without tag or digest: the
 * destination's default): `dest`'s own tag; none when `dest` names a digest, or when the source names a digest
 * only (like crane: a copy by digest never invents a tag, never moves `latest`); else `latest`.
 */
export function destinationTag(dest: Selector, sourceDigestOnly: boolean): string | undefined {
  return dest.tag ?? (sourceDigestOnly ? undefined : impliedTag(dest));
}

/** `name:tag` or `name@digest` for a repository name and a selector string. */
export function joinSelector(name: string, selector: string): string {
  return `${name}${isDigest(selector) ? '@' : ':'}${selector}`;
}

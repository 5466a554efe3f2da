import semver from 'semver';
import { UsageError } from '../errors.js';

/**
 * Which tags of a repository a sync takes. Every rule given must hold: `include` and `exclude` are regular
 * expressions searched in the tag, unanchored like skopeo's `images-by-tag-regex` (Go's MatchString; write
 * `^…$` to match whole tags); `semver` is a range in skopeo's (Masterminds) syntax, against tags that read as
 * versions (`1.2.3`, `v1.2`, `3`: missing parts are 0; other tags never match).
 */
export interface TagFilter {
  include?: RegExp;
  exclude?: RegExp;
  semver?: string;
}

/**
 * A regular expression from the command line, a sync file or a library option; UsageError naming `what` when it does
 * not compile (and carrying `option`, the library option it came from, when given).
 */
export function tagRegex(pattern: string, what: string, option?: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new UsageError(`${what}: invalid regular expression "${pattern}": ${(err as Error).message}`, option ? { option } : {});
  }
}

/**
 * A Masterminds/semver constraint as an npm semver range: `,` (and) becomes a space, `~>` becomes `~`, `=<`
 * becomes `<=`. UsageError for what npm semver cannot express (`!=`) or does not parse.
 */
export function semverRange(constraint: string, what: string): string {
  if (constraint.includes('!=')) throw new UsageError(`${what}: "!=" in semver range "${constraint}" is not supported`);
  const range = constraint.replace(/,/g, ' ').replace(/~>/g, '~').replace(/=</g, '<=').trim();
  if (!range || semver.validRange(range) === null) throw new UsageError(`${what}: invalid semver range "${constraint}"`, { hint: 'e.g. ">= 3.12.0", "~1.2", "^2", "1.x", ">= 1.0, < 2.0"' });
  return range;
}

// Masterminds/semver's loose version grammar: optional v, 1 to 3 numbers, prerelease, build.
const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** The version a tag names (`v3.12` → `3.12.0`), or undefined when it names none. */
export function tagVersion(tag: string): string | undefined {
  const m = VERSION.exec(tag);
  if (!m) return undefined;
  const version = `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}${m[4] ? `-${m[4]}` : ''}`;
  return semver.valid(version) ?? undefined;
}

/** The tags that pass every rule of the filter, in the order given. */
export function filterTags(tags: string[], filter: TagFilter): string[] {
  return tags.filter((tag) => {
    if (filter.include && !filter.include.test(tag)) return false;
    if (filter.exclude && filter.exclude.test(tag)) return false;
    if (filter.semver !== undefined) {
      const version = tagVersion(tag);
      if (!version || !semver.satisfies(version, filter.semver)) return false;
    }
    return true;
  });
}

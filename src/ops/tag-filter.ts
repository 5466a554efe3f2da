import { RE2JS } from 're2js';
import semver from 'semver';
import { UsageError } from '../errors.js';
import { filterYielding } from '../util/yielding.js';

/**
 * Which tags of a repository a sync takes. Every rule given must hold: `include` and `exclude` are regular
 * expressions searched in the tag, unanchored like skopeo's `images-by-tag-regex` (Go's MatchString; write
 * `^…$` to match whole tags); `semver` is a range in skopeo's (Masterminds) syntax, against tags that read as
 * versions (`1.2.3`, `v1.2`, `3`: missing parts are 0; other tags never match).
 */
export interface TagFilter {
  include?: TagPattern;
  exclude?: TagPattern;
  semver?: string;
}

/**
 * Where a tag rule came from, for its error: an operation's option (`{ option: 'tags' }`, the UsageError names it)
 * or a place in a sync file (`sync.yml: registry.images-by-tag-regex.app`).
 */
type RuleSource = { option: string } | string;

function ruleError(message: string, from: RuleSource, opts: { hint?: string; cause?: unknown } = {}): UsageError {
  return typeof from === 'string'
    ? new UsageError(`${from}: ${message}`, opts)
    : new UsageError(`option ${from.option}: ${message}`, { ...opts, option: from.option });
}

/** A compiled tag pattern: `test` is true when it is found in the tag (unanchored). */
export interface TagPattern {
  test(tag: string): boolean;
}

/**
 * A regular expression of an option or a sync file, compiled with RE2 (re2js): Go's regexp syntax and semantics
 * (skopeo, crane, regclient), matched in linear time, so a hostile pattern (`^(\d+\.?)+$`) cannot hang on a tag.
 * RE2 has no backreferences or lookarounds: such a pattern is a UsageError naming where it came from, as is any
 * pattern that does not compile.
 */
export function tagRegex(pattern: string, from: RuleSource): TagPattern {
  try {
    const re = RE2JS.compile(pattern);
    return { test: (tag) => re.test(tag) };
  } catch (err) {
    throw ruleError(`invalid regular expression "${pattern}": ${(err as Error).message}`, from, { cause: err });
  }
}

/**
 * A Masterminds/semver constraint as an npm semver range: `,` (and) becomes a space, `~>` becomes `~`, `=<`
 * becomes `<=`. UsageError for what npm semver cannot express (`!=`) or does not parse.
 */
export function semverRange(constraint: string, from: RuleSource): string {
  if (constraint.includes('!=')) throw ruleError(`"!=" in semver range "${constraint}" is not supported`, from);
  const range = constraint.replace(/,/g, ' ').replace(/~>/g, '~').replace(/=</g, '<=').trim();
  if (!range || semver.validRange(range) === null) throw ruleError(`invalid semver range "${constraint}"`, from, { hint: 'e.g. ">= 3.12.0", "~1.2", "^2", "1.x", ">= 1.0, < 2.0"' });
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
export function filterTags(tags: string[], filter: TagFilter, signal?: AbortSignal): Promise<string[]> {
  return filterYielding(tags, (tag) => {
    if (filter.include && !filter.include.test(tag)) return false;
    if (filter.exclude && filter.exclude.test(tag)) return false;
    if (filter.semver !== undefined) {
      const version = tagVersion(tag);
      if (!version || !semver.satisfies(version, filter.semver)) return false;
    }
    return true;
  }, signal);
}

/** An operation's tag rules as given: patterns as strings (compiled here) or RegExps, a semver range. */
export interface TagRules {
  include?: string | RegExp | undefined;
  exclude?: string | RegExp | undefined;
  semver?: string | undefined;
}

/** The filter of an operation's tag rules; `options` names the option each rule came from (for its errors). */
export function tagFilter(rules: TagRules, options: Readonly<Record<keyof TagRules, string>>): TagFilter {
  return {
    ...(rules.include !== undefined ? { include: patternOf(rules.include, options.include) } : {}),
    ...(rules.exclude !== undefined ? { exclude: patternOf(rules.exclude, options.exclude) } : {}),
    ...(rules.semver !== undefined ? { semver: semverRange(rules.semver, { option: options.semver }) } : {}),
  };
}

/**
 * A pattern option: a string compiled with RE2 (tagRegex); a library caller's own RegExp stays a JS RegExp, less the
 * flags that make `test` keep state between tags.
 */
export function patternOf(pattern: string | RegExp, option: string): TagPattern {
  return typeof pattern === 'string' ? tagRegex(pattern, { option }) : new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

import { RE2JS } from 're2js';
import { UsageError } from '../errors.js';
import { familiarReference, parseReference } from '../ref/parse.js';
import type { StoreImage } from '../store/store.js';
import type { OpsContext } from './context.js';
import { openStore } from './open-store.js';

/** Which images `images` lists, as docker's `--filter` says it. */
export interface ImageFilter {
  /**
   * Only images whose name matches one of these patterns (docker's `reference=PATTERN`): a shell pattern (`*`, `?`,
   * `[a-z]`; `*` stops at `/`) matched against the familiar name with its tag (`alpine:3`, `localhost:5000/app:1`),
   * then against the familiar repository (`alpine`).
   */
  reference?: readonly string[];
  /** true: only the unnamed images (kept by digest, listed as `<none>`); false: only the named ones. */
  dangling?: boolean;
}

export interface ImagesOptions {
  filter?: ImageFilter;
}

/**
 * The images of the local store, in store order; with `repository` (`REPOSITORY[:TAG]`, as docker) only those of
 * that repository (and tag); with `filter`, only those it lets through.
 */
export async function images(ctx: OpsContext, repository?: string, opts: ImagesOptions = {}): Promise<StoreImage[]> {
  const matches = [repository === undefined ? undefined : inRepository(repository), ...referenceMatchers(opts.filter?.reference), danglingMatcher(opts.filter?.dangling)];
  const keep = matches.filter((m) => m !== undefined);
  return (await (await openStore(ctx)).list()).filter((image) => keep.every((m) => m(image)));
}

type Matcher = (image: StoreImage) => boolean;

function inRepository(repository: string): Matcher {
  const want = parseReference(repository);
  return (i) => {
    if (i.repository === '<none>') return false;
    const r = parseReference(i.name);
    return r.registry === want.registry && r.repository === want.repository && (want.tag === undefined || r.tag === want.tag);
  };
}

/** Docker's FamiliarMatch: the pattern against `repo:tag` (or `repo@digest`), else against `repo`; any pattern may match. */
function referenceMatchers(patterns: readonly string[] | undefined): Matcher[] {
  if (!patterns?.length) return [];
  const res = patterns.map((p) => globRegExp(p));
  return [(i) => {
    if (i.repository === '<none>') return false;
    const full = familiarReference(parseReference(i.name));
    return res.some((re) => re.test(full) || re.test(i.repository));
  }];
}

function danglingMatcher(dangling: boolean | undefined): Matcher | undefined {
  return dangling === undefined ? undefined : (i) => (i.repository === '<none>') === dangling;
}

/**
 * Go's path.Match pattern as an RE2 regular expression (linear time, whatever the pattern): `*` and `?` stop at
 * `/`, `[…]` (`[^…]` negated) a class, `\` escapes.
 */
function globRegExp(pattern: string): { test(s: string): boolean } {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= pattern.length) throw badPattern(pattern);
      out += escape(pattern[++i]!);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw badPattern(pattern);
      const body = pattern.slice(i + 1, end);
      const negated = body.startsWith('^');
      out += `[${negated ? '^' : ''}${[...(negated ? body.slice(1) : body)].map((ch) => (ch === '-' ? '-' : escape(ch))).join('')}]`;
      i = end;
    } else out += escape(c);
  }
  try {
    const re = RE2JS.compile(`^${out}$`);
    return { test: (s) => re.test(s) };
  } catch {
    throw badPattern(pattern);
  }
}

const escape = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

function badPattern(pattern: string): UsageError {
  return new UsageError(`option filter.reference: ${JSON.stringify(pattern)} is not a valid pattern (path.Match syntax: *, ?, [a-z], \\ to escape)`, { option: 'filter.reference' });
}

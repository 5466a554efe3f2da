// Tag patterns given as strings are compiled with RE2 (re2js): Go's regexp syntax and semantics, as skopeo, crane and
// regclient have them, matched in linear time. A JS RegExp would take minutes over the hostile tag below.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import { UsageError } from '../src/errors.js';
import { tagsKept } from '../src/ops/list.js';
import { parseSyncConfig } from '../src/ops/sync-file.js';
import { filterTags, patternOf, tagFilter, tagRegex } from '../src/ops/tag-filter.js';

const HOSTILE = '^(\\d+\\.?)+$';
const HOSTILE_TAG = `${'1'.repeat(40)}x`;
const SYNC_OPTIONS = { include: 'tags', exclude: 'exclude', semver: 'semver' } as const;

/** The result of f and the milliseconds it took. */
async function timed<T>(f: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const out = await f();
  return [out, performance.now() - start];
}

describe('tag regular expressions (RE2)', () => {
  test('a hostile pattern over a 41-character tag answers in well under a second, everywhere a pattern is compiled', async () => {
    assert.equal(HOSTILE_TAG.length, 41);
    const cases: Array<[string, () => unknown, unknown]> = [
      ['tagRegex', () => tagRegex(HOSTILE, { option: 'tags' }).test(HOSTILE_TAG), false],
      ['sync tags/exclude', () => filterTags([HOSTILE_TAG, '1.2.3'], tagFilter({ include: HOSTILE, exclude: HOSTILE }, SYNC_OPTIONS)), []],
      ['sync exclude only', () => filterTags([HOSTILE_TAG, '1.2.3'], tagFilter({ exclude: HOSTILE }, SYNC_OPTIONS)), [HOSTILE_TAG]],
      ['tags --exclude', () => [HOSTILE_TAG, '1.2.3'].filter(tagsKept({ exclude: [HOSTILE] })), [HOSTILE_TAG]],
      ['prune keepTags', () => patternOf(HOSTILE, 'keepTags[0]').test(HOSTILE_TAG), false],
      ['sync file images-by-tag-regex', () => {
        const [reg] = parseSyncConfig(`r.example:\n  images-by-tag-regex:\n    app: '${HOSTILE}'\n`, 'f.yml');
        return filterTags([HOSTILE_TAG, '1.2.3'], reg!.repositories[0]!.filter!);
      }, ['1.2.3']],
    ];
    for (const [name, f, want] of cases) {
      const [got, ms] = await timed(f);
      assert.deepEqual(got, want, name);
      assert.ok(ms < 1000, `${name}: ${ms.toFixed(1)} ms`);
    }
  });

  test('Go syntax: (?i) flags, \\d is the ASCII digits only, searches are unanchored unless anchored', () => {
    assert.equal(tagRegex('(?i)ABC', 'x').test('abc'), true);
    assert.equal(tagRegex('ABC', 'x').test('abc'), false);
    assert.equal(tagRegex('\\d', 'x').test('v1'), true);
    assert.equal(tagRegex('\\d', 'x').test('latest'), false);
    assert.equal(tagRegex('\\d', 'x').test('\u0661'), false, 'ARABIC-INDIC DIGIT ONE is no \\d in Go');
    assert.equal(tagRegex('^\\d+$', 'x').test('123'), true);
    assert.equal(tagRegex('^\\d+$', 'x').test('v123'), false);
    assert.equal(tagRegex('\\pL', 'x').test('é'), true, 'Unicode classes as Go writes them');
    assert.equal(tagRegex('[[:alpha:]]+-\\d', 'x').test('1.0-alpine-3'), true, 'POSIX classes');
  });

  test('what RE2 lacks (lookarounds, backreferences) is a UsageError naming the option or the sync file place', () => {
    const refused = (f: () => unknown, option: string, pattern: string) =>
      assert.throws(f, (e) => e instanceof UsageError && e.option === option
        && e.message.startsWith(`option ${option}: invalid regular expression "${pattern}"`), `${option} ${pattern}`);
    refused(() => tagRegex('(?=x)', { option: 'tags' }), 'tags', '(?=x)');
    refused(() => tagFilter({ exclude: 'a(?!b)' }, SYNC_OPTIONS), 'exclude', 'a(?!b)');
    refused(() => tagsKept({ exclude: ['(a)\\1'] }), 'exclude', '(a)\\1');
    refused(() => patternOf('(?<=v)1', 'keepTags[1]'), 'keepTags[1]', '(?<=v)1');
    refused(() => tagFilter({ include: '(?=x)' }, { include: 'match', exclude: 'exclude', semver: 'semver' }), 'match', '(?=x)');
    assert.throws(() => parseSyncConfig("r.example:\n  images-by-tag-regex:\n    app: '^(?=1)'\n", 'f.yml'),
      (e) => e instanceof UsageError && /^f\.yml: r\.example\.images-by-tag-regex\.app: invalid regular expression "\^\(\?=1\)"/.test(e.message));
  });

  test("a library caller's own RegExp stays a JS RegExp (its lookahead works), less the g and y flags", () => {
    const lookahead = patternOf(/^v(?=\d)/, 'tags');
    assert.equal(lookahead.test('v1'), true);
    assert.equal(lookahead.test('vx'), false);
    const global = patternOf(/a/g, 'exclude');
    assert.deepEqual([global.test('a'), global.test('a')], [true, true], 'no lastIndex kept between tags');
    assert.deepEqual(['v1', 'vx', 'latest'].filter(tagsKept({ exclude: [/^v(?=\d)/, 'latest'] })), ['vx']);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, UsageError } from '../src/errors.js';
import { parseSyncConfig } from '../src/ops/sync-file.js';
import { filterTags, semverRange, tagRegex, tagVersion } from '../src/ops/tag-filter.js';

describe('tag selection', () => {
  const tags = ['1.0.0', 'v1.2', '1.13.1-alpine-perl', '1.13.2-alpine-perl', '1.13.2', '2', 'latest', 'edge', '3.12.0-rc1', '1.2.3.4'];

  test('versions read like Masterminds/semver: optional v, missing parts are 0, other tags are no version', () => {
    const table: Array<[string, string | undefined]> = [
      ['1.0.0', '1.0.0'], ['v1.2', '1.2.0'], ['2', '2.0.0'], ['3.12.0-rc1', '3.12.0-rc1'], ['1.13.1-alpine-perl', '1.13.1-alpine-perl'],
      ['latest', undefined], ['1.2.3.4', undefined], ['01.2.3', '1.2.3'], ['1.2.3+build.5', '1.2.3'], ['', undefined],
    ];
    for (const [tag, want] of table) assert.equal(tagVersion(tag), want, tag);
  });

  test('semver ranges in skopeo syntax: commas are "and", ~> and =< are translated; prereleases only when asked', async () => {
    assert.deepEqual(await filterTags(tags, { semver: semverRange('>= 1.2.0, < 2.0.0', 'x') }), ['v1.2', '1.13.2']);
    assert.deepEqual(await filterTags(tags, { semver: semverRange('~> 1.13', 'x') }), ['1.13.2']);
    assert.deepEqual(await filterTags(tags, { semver: semverRange('=< 1.0.0 || >= 2', 'x') }), ['1.0.0', '2']);
    assert.deepEqual(await filterTags(tags, { semver: semverRange('>= 3.12.0-rc0', 'x') }), ['3.12.0-rc1']);
  });

  test('regular expressions are searched in the tag (anchors when written); exclude wins', async () => {
    assert.deepEqual(await filterTags(tags, { include: tagRegex('^1\\.13\\.[12]-alpine-perl$', 'x') }), ['1.13.1-alpine-perl', '1.13.2-alpine-perl']);
    assert.deepEqual(await filterTags(tags, { include: tagRegex('alpine', 'x'), exclude: tagRegex('13\\.1', 'x') }), ['1.13.2-alpine-perl']);
  });

  test('bad patterns and ranges are usage errors naming where they came from', () => {
    assert.throws(() => tagRegex('(', { option: 'tags' }), (e) => e instanceof UsageError && e.option === 'tags' && /^option tags: invalid regular expression "\("/.test(e.message));
    assert.throws(() => semverRange('>= banana', { option: 'semver' }), (e) => e instanceof UsageError && e.option === 'semver' && /^option semver: invalid semver range/.test(e.message));
    assert.throws(() => semverRange('!= 1.0.0', 'f.yml: r.images-by-semver.a'), (e) => e instanceof UsageError && /"!=" .* not supported/.test(e.message));
  });
});

describe('skopeo sync YAML', () => {
  test('scalars are read as written: an unquoted 1.0 is the tag "1.0"; an empty entry is every tag', () => {
    const [reg] = parseSyncConfig('r.example:\n  images:\n    redis: [1.0, 2.10]\n    busybox:\n    alpine: []\n', 'f.yml');
    assert.deepEqual(reg!.repositories.map((r) => [r.repository.name, r.references]), [
      ['r.example/redis', ['1.0', '2.10']], ['r.example/busybox', undefined], ['r.example/alpine', undefined],
    ]);
    assert.equal(reg!.tlsVerify, true);
  });

  test('docker.io keys name library images; settings per registry', () => {
    const [hub] = parseSyncConfig('docker.io:\n  images:\n    busybox: [latest]\n  tls-verify: FALSE\n  credentials: {username: u, password: p}\n  cert-dir: /c\n', 'f.yml');
    assert.equal(hub!.repositories[0]!.repository.name, 'docker.io/library/busybox');
    assert.deepEqual([hub!.tlsVerify, hub!.credentials, hub!.certDir], [false, { username: 'u', password: 'p' }, '/c']);
  });

  test('malformed files are config errors that say where', () => {
    const table: Array<[string, RegExp]> = [
      ['- a\n- b\n', /top level must map source registries/],
      ['r.example:\n  image:\n    a: []\n', /r\.example: unknown key "image"/],
      ['r.example:\n  images:\n    a: latest\n', /r\.example\.images\.a: must be a list of tags or digests/],
      ['r.example:\n  images:\n    a: ["bad tag"]\n', /"bad tag" is not a valid tag/],
      ['r.example:\n  images:\n    a: ["sha256:abc"]\n', /"sha256:abc" is not a valid digest/],
      ['r.example:\n  tls-verify: maybe\n', /tls-verify: must be true or false/],
      ['r.example:\n  images:\n    Upper: []\n', /r\.example\.images\.Upper: /],
      ['r.example:\n  credentials: {user: x}\n', /credentials: unknown key "user"/],
      ['r.example: [\n', /not valid YAML/],
    ];
    for (const [text, message] of table) {
      assert.throws(() => parseSyncConfig(text, 'f.yml'), (e) => e instanceof ConfigError && message.test(e.message), text);
    }
  });
});

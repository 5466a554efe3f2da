import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { VerifyingStream } from '../src/content/verify.js';
import { InvalidReferenceError, RegctlError } from '../src/errors.js';
import { digestLike, verifyBytes } from '../src/oci/digest.js';
import { blobPath } from '../src/oci/layout-format.js';
import { DEFAULT_TAG } from '../src/ref/reference.js';
import { destinationTag, givenSelector, impliedTag, isDigest, isDigestOnly, joinSelector, manifestReference, parseSelector } from '../src/ref/selector.js';
import {
  familiarReference,
  formatReference,
  parseDigest,
  parseReference,
  parseRepository,
  withDigest,
  withTag,
} from '../src/ref/parse.js';

const H64 = '86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa';
const H96 = H64 + H64.slice(0, 32);
const H128 = H64 + H64;
const D256 = `sha256:${H64}`;

type Good = [input: string, registry: string, repository: string, tag: string | undefined, digest: string | undefined, name: string, familiar: string];

const good: Good[] = [
  // Docker Hub normalization
  ['ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined, 'docker.io/library/ubuntu:latest', 'ubuntu'],
  ['ubuntu:22.04', 'docker.io', 'library/ubuntu', '22.04', undefined, 'docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
  ['library/ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined, 'docker.io/library/ubuntu:latest', 'ubuntu'],
  ['docker.io/ubuntu', 'docker.io', 'library/ubuntu', undefined, undefined, 'docker.io/library/ubuntu:latest', 'ubuntu'],
  ['docker.io/library/ubuntu:latest', 'docker.io', 'library/ubuntu', 'latest', undefined, 'docker.io/library/ubuntu:latest', 'ubuntu:latest'],
  ['index.docker.io/foo', 'docker.io', 'library/foo', undefined, undefined, 'docker.io/library/foo:latest', 'foo'],
  ['index.docker.io/library/foo', 'docker.io', 'library/foo', undefined, undefined, 'docker.io/library/foo:latest', 'foo'],
  ['index.docker.io/fooo/bar', 'docker.io', 'fooo/bar', undefined, undefined, 'docker.io/fooo/bar:latest', 'fooo/bar'],
  ['docker.io/foo/bar', 'docker.io', 'foo/bar', undefined, undefined, 'docker.io/foo/bar:latest', 'foo/bar'],
  ['docker.io/library/foo/bar', 'docker.io', 'library/foo/bar', undefined, undefined, 'docker.io/library/foo/bar:latest', 'library/foo/bar'],
  ['library/foo/bar', 'docker.io', 'library/foo/bar', undefined, undefined, 'docker.io/library/foo/bar:latest', 'library/foo/bar'],
  ['store/foo/bar', 'docker.io', 'store/foo/bar', undefined, undefined, 'docker.io/store/foo/bar:latest', 'store/foo/bar'],
  ['other/library', 'docker.io', 'other/library', undefined, undefined, 'docker.io/other/library:latest', 'other/library'],
  ['foo/bar:tag', 'docker.io', 'foo/bar', 'tag', undefined, 'docker.io/foo/bar:tag', 'foo/bar:tag'],
  ['ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base', undefined, undefined, 'docker.io/library/ubuntu-12.04-base:latest', 'ubuntu-12.04-base'],
  ['test_com/foo', 'docker.io', 'test_com/foo', undefined, undefined, 'docker.io/test_com/foo:latest', 'test_com/foo'],
  ['docker/migrator', 'docker.io', 'docker/migrator', undefined, undefined, 'docker.io/docker/migrator:latest', 'docker/migrator'],
  // localhost and hosts with ports
  ['localhost/x', 'localhost', 'x', undefined, undefined, 'localhost/x:latest', 'localhost/x'],
  ['localhost:5000/x', 'localhost:5000', 'x', undefined, undefined, 'localhost:5000/x:latest', 'localhost:5000/x'],
  // distribution's grammar has no port range: 75050 parses (connecting refuses it)
  ['192.168.1.1:75050/repo', '192.168.1.1:75050', 'repo', undefined, undefined, '192.168.1.1:75050/repo:latest', '192.168.1.1:75050/repo'],
  ['localhost:5000/x/y:v1', 'localhost:5000', 'x/y', 'v1', undefined, 'localhost:5000/x/y:v1', 'localhost:5000/x/y:v1'],
  ['10.0.0.1:5000/x', '10.0.0.1:5000', 'x', undefined, undefined, '10.0.0.1:5000/x:latest', '10.0.0.1:5000/x'],
  ['127.0.0.1:8000/private/moonbase', '127.0.0.1:8000', 'private/moonbase', undefined, undefined, '127.0.0.1:8000/private/moonbase:latest', '127.0.0.1:8000/private/moonbase'],
  ['192.168.0.1:8/debian', '192.168.0.1:8', 'debian', undefined, undefined, '192.168.0.1:8/debian:latest', '192.168.0.1:8/debian'],
  ['[::1]:5000/x', '[::1]:5000', 'x', undefined, undefined, '[::1]:5000/x:latest', '[::1]:5000/x'],
  ['[2001:db8::1]/x:1', '[2001:db8::1]', 'x', '1', undefined, '[2001:db8::1]/x:1', '[2001:db8::1]/x:1'],
  ['[fc00::1]:5000/docker/docker', '[fc00::1]:5000', 'docker/docker', undefined, undefined, '[fc00::1]:5000/docker/docker:latest', '[fc00::1]:5000/docker/docker'],
  ['[fc00:1:2:3:4:5:6:7]:5000/library/debian', '[fc00:1:2:3:4:5:6:7]:5000', 'library/debian', undefined, undefined, '[fc00:1:2:3:4:5:6:7]:5000/library/debian:latest', '[fc00:1:2:3:4:5:6:7]:5000/library/debian'],
  ['[2001:DB8::1]:5000/x', '[2001:DB8::1]:5000', 'x', undefined, undefined, '[2001:DB8::1]:5000/x:latest', '[2001:DB8::1]:5000/x'],
  ['reg.example/x/y/z', 'reg.example', 'x/y/z', undefined, undefined, 'reg.example/x/y/z:latest', 'reg.example/x/y/z'],
  ['example.com/privatebase', 'example.com', 'privatebase', undefined, undefined, 'example.com/privatebase:latest', 'example.com/privatebase'],
  ['example.com:8000/private/moonbase', 'example.com:8000', 'private/moonbase', undefined, undefined, 'example.com:8000/private/moonbase:latest', 'example.com:8000/private/moonbase'],
  ['test-com:8080/foo', 'test-com:8080', 'foo', undefined, undefined, 'test-com:8080/foo:latest', 'test-com:8080/foo'],
  ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo', undefined, undefined, 'xn--n3h.com:18080/foo:latest', 'xn--n3h.com:18080/foo'],
  ['ghcr.io/library/x', 'ghcr.io', 'library/x', undefined, undefined, 'ghcr.io/library/x:latest', 'ghcr.io/library/x'],
  // uppercase first component ⇒ it is a domain (distribution normalize_test TestParseRepositoryInfo)
  ['Foo/bar', 'Foo', 'bar', undefined, undefined, 'Foo/bar:latest', 'Foo/bar'],
  ['FOO/bar', 'FOO', 'bar', undefined, undefined, 'FOO/bar:latest', 'FOO/bar'],
  ['Docker/docker', 'Docker', 'docker', undefined, undefined, 'Docker/docker:latest', 'Docker/docker'],
  ['Reg.Example/x', 'Reg.Example', 'x', undefined, undefined, 'Reg.Example/x:latest', 'Reg.Example/x'],
  ['Foo/bar:Tag_1', 'Foo', 'bar', 'Tag_1', undefined, 'Foo/bar:Tag_1', 'Foo/bar:Tag_1'],
  // no "/" ⇒ always an official image, even when it looks like a host (docker does the same)
  ['localhost', 'docker.io', 'library/localhost', undefined, undefined, 'docker.io/library/localhost:latest', 'localhost'],
  ['localhost:5000', 'docker.io', 'library/localhost', '5000', undefined, 'docker.io/library/localhost:5000', 'localhost:5000'],
  ['192.168.0.1', 'docker.io', 'library/192.168.0.1', undefined, undefined, 'docker.io/library/192.168.0.1:latest', '192.168.0.1'],
  ['192.168.0.1:80', 'docker.io', 'library/192.168.0.1', '80', undefined, 'docker.io/library/192.168.0.1:80', '192.168.0.1:80'],
  ['example.com', 'docker.io', 'library/example.com', undefined, undefined, 'docker.io/library/example.com:latest', 'example.com'],
  // path component separators
  ['a__b', 'docker.io', 'library/a__b', undefined, undefined, 'docker.io/library/a__b:latest', 'a__b'],
  ['a---b', 'docker.io', 'library/a---b', undefined, undefined, 'docker.io/library/a---b:latest', 'a---b'],
  ['a.b_c-d__e', 'docker.io', 'library/a.b_c-d__e', undefined, undefined, 'docker.io/library/a.b_c-d__e:latest', 'a.b_c-d__e'],
  ['docker---rules/docker', 'docker.io', 'docker---rules/docker', undefined, undefined, 'docker.io/docker---rules/docker:latest', 'docker---rules/docker'],
  ['dock__er/docker', 'docker.io', 'dock__er/docker', undefined, undefined, 'docker.io/dock__er/docker:latest', 'dock__er/docker'],
  ['d/docker', 'docker.io', 'd/docker', undefined, undefined, 'docker.io/d/docker:latest', 'd/docker'],
  ['jess/t', 'docker.io', 'jess/t', undefined, undefined, 'docker.io/jess/t:latest', 'jess/t'],
  ['thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', 'docker.io', 'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev', undefined, undefined,
    'docker.io/library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev:latest', 'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev'],
  [`docker.io/${H64}`, 'docker.io', `library/${H64}`, undefined, undefined, `docker.io/library/${H64}:latest`, `${H64}`],
  [H64.slice(0, 63), 'docker.io', `library/${H64.slice(0, 63)}`, undefined, undefined, `docker.io/library/${H64.slice(0, 63)}:latest`, `${H64.slice(0, 63)}`],
  // tags
  ['foo:A', 'docker.io', 'library/foo', 'A', undefined, 'docker.io/library/foo:A', 'foo:A'],
  ['foo:_x.y-z', 'docker.io', 'library/foo', '_x.y-z', undefined, 'docker.io/library/foo:_x.y-z', 'foo:_x.y-z'],
  [`foo:${'t'.repeat(128)}`, 'docker.io', 'library/foo', 't'.repeat(128), undefined, `docker.io/library/foo:${'t'.repeat(128)}`, `foo:${'t'.repeat(128)}`],
  // distribution quirk: `sha256:<hex>` alone is repository library/sha256 with a 64-character tag
  [D256, 'docker.io', 'library/sha256', H64, undefined, `docker.io/library/${D256}`, D256],
  // digests
  [`foo@${D256}`, 'docker.io', 'library/foo', undefined, D256, `docker.io/library/foo@${D256}`, `foo@${D256}`],
  [`redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c`, 'docker.io', 'library/redis', undefined,
    'sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c',
    'docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c', 'redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c'],
  [`dmcgowan/myapp@${D256}`, 'docker.io', 'dmcgowan/myapp', undefined, D256, `docker.io/dmcgowan/myapp@${D256}`, `dmcgowan/myapp@${D256}`],
  [`foo@sha512:${H128}`, 'docker.io', 'library/foo', undefined, `sha512:${H128}`, `docker.io/library/foo@sha512:${H128}`, `foo@sha512:${H128}`],
  [`foo@sha384:${H96}`, 'docker.io', 'library/foo', undefined, `sha384:${H96}`, `docker.io/library/foo@sha384:${H96}`, `foo@sha384:${H96}`],
  [`busybox:latest@${D256}`, 'docker.io', 'library/busybox', 'latest', D256, `docker.io/library/busybox:latest@${D256}`, `busybox:latest@${D256}`],
  [`repo:tag@${D256}`, 'docker.io', 'library/repo', 'tag', D256, `docker.io/library/repo:tag@${D256}`, `repo:tag@${D256}`],
  [`localhost:5000/x:v1@${D256}`, 'localhost:5000', 'x', 'v1', D256, `localhost:5000/x:v1@${D256}`, `localhost:5000/x:v1@${D256}`],
  [`[::1]:5000/x@${D256}`, '[::1]:5000', 'x', undefined, D256, `[::1]:5000/x@${D256}`, `[::1]:5000/x@${D256}`],
  // length: the limit (255) is on the path, after normalization; the registry is not counted
  [`foo/${'a'.repeat(251)}`, 'docker.io', `foo/${'a'.repeat(251)}`, undefined, undefined, `docker.io/foo/${'a'.repeat(251)}:latest`, `foo/${'a'.repeat(251)}`],
  ['a'.repeat(247), 'docker.io', `library/${'a'.repeat(247)}`, undefined, undefined, `docker.io/library/${'a'.repeat(247)}:latest`, `${'a'.repeat(247)}`],
  [`reg.example/${'a'.repeat(255)}`, 'reg.example', 'a'.repeat(255), undefined, undefined, `reg.example/${'a'.repeat(255)}:latest`, `reg.example/${'a'.repeat(255)}`],
];

type Bad = [input: string, code: string];

const bad: Bad[] = [
  ['', 'ERR_REF_EMPTY'],
  // 64-hex identifiers
  [H64, 'ERR_REF_FORMAT'],
  ['1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'ERR_REF_FORMAT'],
  // uppercase in the repository
  ['foo/Bar', 'ERR_REF_UPPERCASE'],
  ['docker/Docker', 'ERR_REF_UPPERCASE'],
  ['docker.io/docker/Docker', 'ERR_REF_UPPERCASE'],
  ['Ubuntu', 'ERR_REF_UPPERCASE'],
  ['UBUNTU:latest', 'ERR_REF_UPPERCASE'],
  ['localhost:5000/Foo', 'ERR_REF_UPPERCASE'],
  ['Foo/Bar', 'ERR_REF_UPPERCASE'],
  ['A_B.com/x', 'ERR_REF_UPPERCASE'],
  // format
  ['https://github.com/docker/docker', 'ERR_REF_FORMAT'],
  ['docker://alpine', 'ERR_REF_FORMAT'],
  ['http://localhost:5000/x', 'ERR_REF_FORMAT'],
  ['oci://x', 'ERR_REF_FORMAT'],
  ['-docker', 'ERR_REF_FORMAT'],
  ['-docker/docker', 'ERR_REF_FORMAT'],
  ['docker-/docker', 'ERR_REF_FORMAT'],
  ['-docker-/docker', 'ERR_REF_FORMAT'],
  ['-docker.io/docker/docker', 'ERR_REF_FORMAT'],
  ['docker///docker', 'ERR_REF_FORMAT'],
  ['docker.io/docker///docker', 'ERR_REF_FORMAT'],
  ['a//b', 'ERR_REF_FORMAT'],
  ['docker/', 'ERR_REF_FORMAT'],
  ['/foo', 'ERR_REF_FORMAT'],
  ['foo/', 'ERR_REF_FORMAT'],
  ['localhost:5000/', 'ERR_REF_FORMAT'],
  ['____/____', 'ERR_REF_FORMAT'],
  ['_docker/_docker', 'ERR_REF_FORMAT'],
  ['dock..er/docker', 'ERR_REF_FORMAT'],
  ['dock_.er/docker', 'ERR_REF_FORMAT'],
  ['dock-.er/docker', 'ERR_REF_FORMAT'],
  ['a_-b', 'ERR_REF_FORMAT'],
  ['a___b', 'ERR_REF_FORMAT'],
  ['a.', 'ERR_REF_FORMAT'],
  ['.a', 'ERR_REF_FORMAT'],
  ['[fc00::1]', 'ERR_REF_FORMAT'],
  ['[fc00::1]:5000', 'ERR_REF_FORMAT'],
  ['fc00::1:5000/debian', 'ERR_REF_FORMAT'],
  ['[fe80::1%eth0]:5000/debian', 'ERR_REF_FORMAT'],
  ['[fe80::1%eth0]/x', 'ERR_REF_FORMAT'],
  ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'ERR_REF_FORMAT'],
  ['a_b.com/x', 'ERR_REF_FORMAT'], // distribution: empty domain; we refuse
  ['reg.example:/x', 'ERR_REF_FORMAT'],
  ['reg.example:abc/x', 'ERR_REF_FORMAT'],
  ['-reg.example/x', 'ERR_REF_FORMAT'],
  [':tag', 'ERR_REF_FORMAT'],
  [`@${D256}`, 'ERR_REF_FORMAT'],
  [`:tag@${D256}`, 'ERR_REF_FORMAT'],
  ['foo:', 'ERR_REF_FORMAT'],
  ['foo/bar:', 'ERR_REF_FORMAT'],
  ['foo bar', 'ERR_REF_FORMAT'],
  [' ubuntu', 'ERR_REF_FORMAT'],
  ['ubuntu\n', 'ERR_REF_FORMAT'],
  ['ubuntu\t:1', 'ERR_REF_FORMAT'],
  ['foo/bär', 'ERR_REF_FORMAT'],
  ['foo/b:x/bar', 'ERR_REF_FORMAT'],
  ['foo$', 'ERR_REF_FORMAT'],
  ['/', 'ERR_REF_FORMAT'],
  [':', 'ERR_REF_FORMAT'],
  ['@', 'ERR_REF_FORMAT'],
  // tags
  [`foo:${'t'.repeat(129)}`, 'ERR_REF_TAG'],
  ['foo:-x', 'ERR_REF_TAG'],
  ['foo:.x', 'ERR_REF_TAG'],
  ['foo:a:b', 'ERR_REF_TAG'],
  ['foo:a+b', 'ERR_REF_TAG'],
  ['localhost:5000/x:v/1', 'ERR_REF_FORMAT'],
  // digests
  ['foo@', 'ERR_REF_DIGEST'],
  [`foo@sha256:${H64.slice(0, 63)}`, 'ERR_REF_DIGEST'],
  [`foo@sha256:${H64}0`, 'ERR_REF_DIGEST'],
  [`foo@sha256:${H64.toUpperCase()}`, 'ERR_REF_DIGEST'],
  [`foo@sha256:${H64.slice(0, 63)}g`, 'ERR_REF_DIGEST'],
  [`foo@sha512:${H64}`, 'ERR_REF_DIGEST'],
  [`foo@md5:${H64.slice(0, 32)}`, 'ERR_REF_DIGEST'],
  [`foo@sha1:${H64.slice(0, 40)}`, 'ERR_REF_DIGEST'],
  [`foo@blake3:${H64}`, 'ERR_REF_DIGEST'],
  [`foo@SHA256:${H64}`, 'ERR_REF_DIGEST'],
  ['foo@sha256:abc', 'ERR_REF_DIGEST'],
  [`foo@${H64}`, 'ERR_REF_DIGEST'],
  [`foo@sha256:${H64}@sha256:${H64}`, 'ERR_REF_DIGEST'],
  [`foo@1sha:${H64}`, 'ERR_REF_DIGEST'],
  // length
  [`foo/${'a'.repeat(252)}`, 'ERR_REF_TOO_LONG'],
  ['a'.repeat(248), 'ERR_REF_TOO_LONG'],
  [`reg.example/${'a'.repeat(256)}`, 'ERR_REF_TOO_LONG'],
  [
    'this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker',
    'ERR_REF_TOO_LONG',
  ],
];

for (const [input, registry, repository, tag, digest, name, familiar] of good) {
  test(`parseReference(${JSON.stringify(input.length > 70 ? `${input.slice(0, 70)}…` : input)})`, () => {
    const ref = parseReference(input);
    assert.deepEqual(ref, {
      registry,
      repository,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
      name,
      familiar,
    });
    assert.equal(formatReference(ref), name);
    assert.equal(familiarReference(ref), familiar);
    // the normalized name parses back with :latest made explicit; the familiar name to the same reference
    const tagged = tag === undefined && digest === undefined ? { ...ref, tag: 'latest', familiar: `${familiar}:latest` } : ref;
    assert.deepEqual(parseReference(ref.name), tagged);
    // (a familiar name that is 64 hex characters reads as an image ID, as in docker, and is refused)
    if (!/^[a-f0-9]{64}$/.test(ref.familiar)) assert.deepEqual(parseReference(ref.familiar), ref);
  });
}

for (const [input, code] of bad) {
  test(`parseReference(${JSON.stringify(input.length > 70 ? `${input.slice(0, 70)}…` : input)}) throws ${code}`, () => {
    assert.throws(
      () => parseReference(input),
      (err: unknown) => {
        assert.ok(err instanceof InvalidReferenceError, `not an InvalidReferenceError: ${String(err)}`);
        assert.equal(err.code, code, err.message);
        assert.equal(err.exitCode, 2);
        if (code === 'ERR_REF_EMPTY') assert.equal(err.message, 'invalid reference: empty');
        else assert.ok(err.message.startsWith('invalid reference "'), err.message);
        return true;
      },
    );
  });
}

test('error messages name the input and the problem', () => {
  const msg = (input: string) => {
    try {
      parseReference(input);
    } catch (err) {
      return err as InvalidReferenceError;
    }
    assert.fail(`${input} parsed`);
  };
  assert.equal(msg('foo/Bar').message, 'invalid reference "foo/Bar": repository name must be lowercase');
  assert.equal(msg('foo/Bar').hint, 'repository names must be lowercase');
  assert.match(msg(H64).message, /cannot specify 64-byte hexadecimal strings/);
  assert.match(msg(H64).hint!, /NAME@sha256:/);
  assert.match(msg('docker://alpine').message, /^invalid reference "docker:\/\/alpine": /);
  assert.match(msg('docker://alpine').hint!, /drop the scheme/);
  assert.match(msg('docker://alpine').hint!, /"alpine"/);
  assert.match(msg('https://ghcr.io/a/b').hint!, /drop the scheme: "ghcr.io\/a\/b"/);
  assert.match(msg(`foo@sha256:${H64.slice(0, 63)}`).message, /want 64 lowercase hex characters, got 63/);
  assert.match(msg(`foo@md5:${H64.slice(0, 32)}`).message, /unsupported digest algorithm "md5"/);
  assert.match(msg(`foo:${'t'.repeat(129)}`).message, /invalid tag/);
  assert.match(msg('a'.repeat(248)).message, /must not be more than 255 characters \(has 256\)/);
  assert.match(msg('a//b').message, /empty path component/);
  assert.match(msg('foo:').message, /missing tag/);
  assert.match(msg('a_b.com/x').message, /invalid registry host "a_b.com"/);
  // long inputs are clipped in messages
  assert.ok(msg(`${'a'.repeat(5000)}$`).message.length < 300);
});

test('parseRepository accepts names and refuses tags and digests', () => {
  assert.deepEqual(parseRepository('alpine'), { registry: 'docker.io', repository: 'library/alpine', name: 'docker.io/library/alpine', familiar: 'alpine' });
  assert.deepEqual(parseRepository('localhost:5000/app'), { registry: 'localhost:5000', repository: 'app', name: 'localhost:5000/app', familiar: 'localhost:5000/app' });
  assert.deepEqual(parseRepository('docker.io/foo/bar'), { registry: 'docker.io', repository: 'foo/bar', name: 'docker.io/foo/bar', familiar: 'foo/bar' });
  for (const input of ['alpine:3', `alpine@${D256}`, `a/b:c@${D256}`]) {
    assert.throws(() => parseRepository(input), (err: unknown) => {
      assert.ok(err instanceof InvalidReferenceError);
      assert.equal(err.code, 'ERR_REF_FORMAT');
      assert.match(err.message, /must not have a tag or digest/);
      return true;
    });
  }
  assert.throws(() => parseRepository('localhost:5000'), (err: InvalidReferenceError) => /localhost:5000\/REPOSITORY/.test(err.hint ?? ''));
  assert.throws(() => parseRepository('foo/Bar'), { code: 'ERR_REF_UPPERCASE' });
  assert.throws(() => parseRepository(''), { code: 'ERR_REF_EMPTY' });
});

test('withDigest, withTag and parseDigest', () => {
  const ref = parseReference('ubuntu:22.04');
  assert.deepEqual(withDigest(ref, D256), parseReference(`ubuntu:22.04@${D256}`));
  assert.deepEqual(withTag(parseReference(`ubuntu@${D256}`), 'x'), parseReference('ubuntu:x'));
  assert.throws(() => withTag(ref, '-bad'), { code: 'ERR_REF_TAG' });
  assert.throws(() => withDigest(ref, 'sha256:abc'), { code: 'ERR_REF_DIGEST' });
  assert.equal(parseDigest(`sha512:${H128}`), `sha512:${H128}`);
  assert.throws(() => parseDigest(H64), { code: 'ERR_REF_DIGEST' });
  assert.throws(() => parseDigest(`sha256:${H64.toUpperCase()}`), { code: 'ERR_REF_DIGEST' });
});

// No clock in the assertion (a loaded machine takes what it takes): catastrophic backtracking on 10,000 characters
// takes hours to years, so the test's own time limit catches it.
test('hostile 10,000-character inputs are rejected (no catastrophic backtracking)', { timeout: 60_000 }, () => {
  const n = 10_000;
  const inputs = [
    'a'.repeat(n) + '!',
    'a-'.repeat(n / 2) + '!',
    'a.'.repeat(n / 2) + '/x',
    'a-'.repeat(n / 2) + 'a./x',
    'a_'.repeat(n / 2) + '/x',
    'a'.repeat(n) + '.com/' + 'b'.repeat(n) + ':' + 't'.repeat(n),
    'x.io/' + 'a__'.repeat(n / 3) + '_',
    'x.io/' + 'a-'.repeat(n / 2) + '-',
    '[' + ':'.repeat(n) + '/x',
    '[' + 'a:'.repeat(n / 2) + ']:' + '1'.repeat(n) + 'x/y',
    'a'.repeat(n / 2) + '-'.repeat(n / 2) + '.com/x',
    `foo@${'a'.repeat(n)}`,
    `foo@${'a.'.repeat(n / 2)}:${'0'.repeat(n)}`,
    `foo@sha256:${'0'.repeat(n)}g`,
    `foo:${'w'.repeat(n)}`,
    '/'.repeat(n),
    ':'.repeat(n),
    '@'.repeat(n),
    'a/'.repeat(n / 2),
    `${'a'.repeat(n)}/${'b'.repeat(n)}`,
  ];
  for (const input of inputs) assert.throws(() => parseReference(input), InvalidReferenceError);
});

test('the selector model: digest or tag, which manifest to ask for, which tag a copy writes', () => {
  const ref = (s: string) => parseReference(s);
  assert.equal(isDigest(D256), true);
  assert.equal(isDigest('v1.2'), false);
  assert.deepEqual(parseSelector('v1'), { tag: 'v1' });
  assert.deepEqual(parseSelector(D256), { digest: D256 });
  assert.throws(() => parseSelector(`md5:${H64.slice(0, 32)}`), (e: unknown) => e instanceof InvalidReferenceError && /unsupported digest algorithm/.test(e.message));
  assert.throws(() => parseSelector('-bad'), InvalidReferenceError);
  // The digest wins when both are given (docker); nothing given is `latest`.
  assert.deepEqual(['x', 'x:v1', `x@${D256}`, `x:v1@${D256}`].map((s) => manifestReference(ref(s))), [DEFAULT_TAG, 'v1', D256, D256]);
  assert.deepEqual(['x', 'x:v1', `x@${D256}`].map((s) => givenSelector(ref(s))), [undefined, 'v1', D256]);
  assert.deepEqual(['x', 'x:v1', `x@${D256}`, `x:v1@${D256}`].map((s) => isDigestOnly(ref(s))), [false, false, true, false]);
  assert.deepEqual(['x', 'x:v1', `x@${D256}`].map((s) => impliedTag(ref(s))), ['latest', 'v1', undefined]);
  // A copy from a digest-only source never invents a tag; a destination's own tag is always written.
  assert.equal(destinationTag(ref('x'), false), 'latest');
  assert.equal(destinationTag(ref('x'), true), undefined);
  assert.equal(destinationTag(ref('x:v2'), true), 'v2');
  assert.equal(destinationTag(ref(`x@${D256}`), false), undefined);
  assert.equal(joinSelector('reg/x', 'v1'), 'reg/x:v1');
  assert.equal(joinSelector('reg/x', D256), `reg/x@${D256}`);
});

test('one list of digest algorithms serves the parser, the verifiers and layouts: sha384 is hashed as sha384', async () => {
  const bytes = Buffer.from('{"schemaVersion":2}');
  for (const alg of ['sha256', 'sha384', 'sha512'] as const) {
    const digest = `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
    assert.equal(parseDigest(digest), digest);
    assert.equal(digestLike(digest, bytes), digest);
    assert.doesNotThrow(() => verifyBytes({ digest, size: bytes.length }, bytes, 'test'));
    assert.equal(blobPath(digest), `blobs/${alg}/${digest.slice(alg.length + 1)}`);
    const out: Buffer[] = [];
    for await (const chunk of Readable.from([bytes]).pipe(new VerifyingStream(digest, bytes.length, 'test'))) out.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(out), bytes);
  }
  const md5 = `md5:${createHash('md5').update(bytes).digest('hex')}`;
  assert.throws(() => verifyBytes({ digest: md5 }, bytes, 'test'), (e: unknown) => e instanceof RegctlError && e.exitCode === 2 && /unsupported digest algorithm/.test(e.message));
  assert.throws(() => new VerifyingStream(md5, 1, 'test'), (e: unknown) => e instanceof RegctlError && e.exitCode === 2);
  assert.throws(() => blobPath(md5), RegctlError);
});

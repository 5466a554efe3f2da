import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../src/errors.js';
import { formatPlatform, hostPlatform, normalizePlatform, parsePlatform, platformMatches, type Platform } from '../src/oci/platform.js';
import {
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_V1_SIGNED,
  DOCKER_MANIFEST_V2,
  MANIFEST_ACCEPT,
  OCI_INDEX,
  OCI_MANIFEST,
  isImageManifestMediaType,
  isIndexMediaType,
  isSchema1MediaType,
} from '../src/oci/media-types.js';

const parsed: [input: string, expected: Platform, formatted: string][] = [
  ['linux/amd64', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
  ['Linux/AMD64', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
  ['linux/x86_64', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
  ['linux/x86-64', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
  ['linux/amd64/v1', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
  ['linux/amd64/v3', { os: 'linux', architecture: 'amd64', variant: 'v3' }, 'linux/amd64/v3'],
  ['linux/aarch64', { os: 'linux', architecture: 'arm64' }, 'linux/arm64'],
  ['linux/arm64', { os: 'linux', architecture: 'arm64' }, 'linux/arm64'],
  ['linux/arm64/v8', { os: 'linux', architecture: 'arm64' }, 'linux/arm64'],
  ['linux/arm64/8', { os: 'linux', architecture: 'arm64' }, 'linux/arm64'],
  ['linux/arm64/v8.0', { os: 'linux', architecture: 'arm64' }, 'linux/arm64'],
  ['linux/arm64/9', { os: 'linux', architecture: 'arm64', variant: 'v9' }, 'linux/arm64/v9'],
  ['linux/arm', { os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
  ['linux/arm/7', { os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
  ['linux/arm/v6', { os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v6'],
  ['linux/arm/5', { os: 'linux', architecture: 'arm', variant: 'v5' }, 'linux/arm/v5'],
  ['linux/armhf', { os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
  ['linux/armel', { os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v6'],
  ['linux/i386', { os: 'linux', architecture: '386' }, 'linux/386'],
  ['linux/386', { os: 'linux', architecture: '386' }, 'linux/386'],
  ['linux/ppc64le', { os: 'linux', architecture: 'ppc64le' }, 'linux/ppc64le'],
  ['linux/s390x', { os: 'linux', architecture: 's390x' }, 'linux/s390x'],
  ['linux/riscv64', { os: 'linux', architecture: 'riscv64' }, 'linux/riscv64'],
  ['windows/amd64', { os: 'windows', architecture: 'amd64' }, 'windows/amd64'],
  ['windows(10.0.17763)/amd64', { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763' }, 'windows(10.0.17763)/amd64'],
  ['macos/arm64', { os: 'darwin', architecture: 'arm64' }, 'darwin/arm64'],
  [' linux/amd64 ', { os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
];

for (const [input, expected, formatted] of parsed) {
  test(`parsePlatform(${JSON.stringify(input)})`, () => {
    const p = parsePlatform(input);
    assert.deepEqual(p, expected);
    assert.equal(formatPlatform(p), formatted);
    assert.deepEqual(parsePlatform(formatted), expected);
  });
}

const invalid = ['', 'linux', 'amd64', 'linux/', '/amd64', 'linux//v7', 'linux/arm/v7/x', 'linux/amd 64', 'linux/amd64/', 'li$nux/amd64', 'windows(/amd64', 'windows()/amd64'];
for (const input of invalid) {
  test(`parsePlatform(${JSON.stringify(input)}) throws`, () => {
    assert.throws(
      () => parsePlatform(input),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.message, `invalid platform ${JSON.stringify(input)}: want OS/ARCH[/VARIANT]`);
        assert.equal(err.exitCode, 2);
        return true;
      },
    );
  });
}

const p = (os: string, architecture: string, variant?: string): Platform => (variant === undefined ? { os, architecture } : { os, architecture, variant });

const matches: [want: Platform, have: Platform, expected: boolean][] = [
  [p('linux', 'amd64'), p('linux', 'amd64'), true],
  [p('linux', 'amd64'), p('linux', 'x86_64'), true],
  [p('linux', 'amd64'), p('Linux', 'AMD64'), true],
  [p('linux', 'amd64'), p('linux', 'arm64'), false],
  [p('linux', 'amd64'), p('windows', 'amd64'), false],
  [p('linux', 'amd64'), p('unknown', 'unknown'), false],
  [p('linux', 'amd64'), p('linux', 'amd64', 'v3'), true], // no variant asked for: any
  [p('linux', 'amd64', 'v3'), p('linux', 'amd64'), false],
  [p('linux', 'amd64', 'v1'), p('linux', 'amd64'), true],
  [p('linux', 'arm64'), p('linux', 'arm64', 'v8'), true],
  [p('linux', 'arm64', 'v8'), p('linux', 'arm64'), true],
  [p('linux', 'arm64', 'v8'), p('linux', 'aarch64'), true],
  [p('linux', 'arm64', 'v8'), p('linux', 'arm64', 'v8'), true],
  [p('linux', 'arm64', 'v9'), p('linux', 'arm64'), false],
  [p('linux', 'arm64'), p('linux', 'arm', 'v7'), false],
  [p('linux', 'arm', 'v7'), p('linux', 'arm'), true],
  [p('linux', 'arm', 'v7'), p('linux', 'arm', 'v7'), true],
  [p('linux', 'arm', 'v7'), p('linux', 'armhf'), true],
  [p('linux', 'arm', 'v6'), p('linux', 'arm', 'v7'), false],
  [p('linux', 'arm', 'v6'), p('linux', 'armel'), true],
  [p('linux', 'arm', 'v6'), p('linux', 'arm'), false],
  [p('linux', '386'), p('linux', 'i386'), true],
  [parsePlatform('linux/arm'), p('linux', 'arm', 'v6'), false],
  [parsePlatform('linux/arm'), p('linux', 'arm'), true],
  [parsePlatform('linux/arm64/v8'), p('linux', 'arm64', 'v8'), true],
];

for (const [want, have, expected] of matches) {
  test(`platformMatches(${formatPlatform(want)}, ${formatPlatform(have)}) = ${expected}`, () => {
    assert.equal(platformMatches(want, have), expected);
  });
}

test('normalizePlatform keeps osVersion and drops default variants', () => {
  assert.deepEqual(normalizePlatform({ os: 'Windows', architecture: 'x86_64', osVersion: '10.0.20348.1' }), {
    os: 'windows',
    architecture: 'amd64',
    osVersion: '10.0.20348.1',
  });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }), { os: 'linux', architecture: 'arm64' });
});

test('hostPlatform is a normalized platform of this machine', () => {
  const h = hostPlatform(process);
  assert.ok(h.os.length > 0 && h.architecture.length > 0);
  assert.ok(!['x64', 'ia32', 'win32'].includes(h.architecture) && h.os !== 'win32');
  assert.ok(platformMatches(h, h));
  assert.ok(platformMatches(normalizePlatform(h), h));
  if (process.platform === 'linux' && process.arch === 'x64') assert.deepEqual(h, { os: 'linux', architecture: 'amd64' });
});

test('media types: Accept list and classification', () => {
  assert.deepEqual([...MANIFEST_ACCEPT], [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST_V2]);
  assert.ok(isIndexMediaType(OCI_INDEX));
  assert.ok(isIndexMediaType(DOCKER_MANIFEST_LIST));
  assert.ok(isIndexMediaType(`${OCI_INDEX}; charset=utf-8`));
  assert.ok(!isIndexMediaType(OCI_MANIFEST));
  assert.ok(isImageManifestMediaType(OCI_MANIFEST));
  assert.ok(isImageManifestMediaType(DOCKER_MANIFEST_V2.toUpperCase()));
  assert.ok(!isImageManifestMediaType(DOCKER_MANIFEST_V1_SIGNED));
  assert.ok(!isImageManifestMediaType(''));
  assert.ok(isSchema1MediaType(DOCKER_MANIFEST_V1_SIGNED));
});

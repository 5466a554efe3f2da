// Property tests for the parsers that meet untrusted bytes. Each property runs a bounded number of cases (seconds in
// CI) and asserts: only the project's typed errors are thrown, nothing hangs, and printers round-trip.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { extractArchive } from '../src/archive/extract.js';
import { RegctlError } from '../src/errors.js';
import { resolveEndpoint } from '../src/transport/endpoint.js';
import { parseManifest } from '../src/oci/manifest.js';
import { formatReference, parseReference } from '../src/ref/parse.js';
import { parseChallenges } from '../src/transport/challenge.js';
import { defaultRetryPolicy, parseRetryAfter } from '../src/transport/retry.js';
import { nextPath } from '../src/registry/paging.js';

const RUNS = { numRuns: 300 };

/** Runs `fn`; anything it throws must be a RegctlError. */
function onlyTyped(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RegctlError, `threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
  }
}

const lower = fc.stringMatching(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, { maxLength: 12 }).filter((s) => s.length > 0);
const hostArb = fc.oneof(
  fc.constantFrom('docker.io', 'ghcr.io', 'localhost', 'registry.example.com', '127.0.0.1'),
  fc.tuple(fc.constantFrom('localhost', 'reg.example', '10.0.0.1'), fc.integer({ min: 1, max: 65535 })).map(([h, p]) => `${h}:${p}`),
);
const tagArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const digestArb = fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`);

describe('image references', () => {
  test('any string: a Reference or a typed error', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => onlyTyped(() => parseReference(s))), RUNS);
    fc.assert(fc.property(fc.stringMatching(/^[a-zA-Z0-9.:/@_\-[\]]{0,80}$/), (s) => onlyTyped(() => parseReference(s))), RUNS);
  });

  test('valid references round-trip through formatReference', () => {
    const refArb = fc.record({
      host: hostArb,
      path: fc.array(lower, { minLength: 1, maxLength: 3 }),
      tag: fc.option(tagArb, { nil: undefined }),
      digest: fc.option(digestArb, { nil: undefined }),
    });
    fc.assert(fc.property(refArb, ({ host, path, tag, digest }) => {
      const text = `${host}/${path.join('/')}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
      const ref = parseReference(text);
      const again = parseReference(formatReference(ref));
      assert.equal(again.name, ref.name);
      assert.deepEqual([again.registry, again.repository, again.digest, again.tag ?? 'latest'], [ref.registry, ref.repository, ref.digest, ref.tag ?? 'latest']);
    }), RUNS);
  });

  test('a port out of 1-65535 parses (as distribution) and is a usage error when connecting, never a crash', () => {
    fc.assert(fc.property(fc.integer({ min: 65536, max: 10 ** 9 }), (port) => {
      const ref = parseReference(`127.0.0.1:${port}/x`);
      assert.equal(ref.registry, `127.0.0.1:${port}`);
      assert.throws(() => resolveEndpoint(ref.registry, undefined, false), (e: unknown) => e instanceof RegctlError && e.exitCode === 2);
    }), { numRuns: 50 });
  });
});

describe('WWW-Authenticate', () => {
  test('any header value parses to challenges without throwing', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.string({ maxLength: 80 }), { maxLength: 4 })), (h) => {
      const out = parseChallenges(h);
      assert.ok(Array.isArray(out));
      for (const c of out) assert.equal(c.scheme, c.scheme.toLowerCase());
    }), RUNS);
  });

  test('printed challenges parse back to the same parameters', () => {
    const token = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
    const value = fc.string({ maxLength: 30 }).filter((v) => !/[\\"]/.test(v));
    fc.assert(fc.property(fc.constantFrom('Bearer', 'Basic'), fc.dictionary(token, value, { maxKeys: 4 }), (scheme, params) => {
      const header = `${scheme} ${Object.entries(params).map(([k, v]) => `${k}="${v}"`).join(',')}`;
      const [c] = parseChallenges(header);
      assert.equal(c?.scheme, scheme.toLowerCase());
      if (Object.keys(params).length) assert.deepEqual({ ...c!.params }, { ...params });
    }), RUNS);
  });
});

describe('Link headers', () => {
  const base = new URL('https://reg.example/');
  test('any Link value: a same-origin path or undefined, never a throw', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.string({ maxLength: 80 }), { maxLength: 3 })), (link) => {
      const next = nextPath(link, base);
      if (next !== undefined) assert.ok(next.startsWith('/'));
    }), RUNS);
  });

  test('a printed next link is found again', () => {
    const q = fc.stringMatching(/^[a-z0-9=&_-]{0,30}$/);
    fc.assert(fc.property(lower, q, (repo, query) => {
      const path = `/v2/${repo}/tags/list${query ? `?${query}` : ''}`;
      const expected = new URL(path, base);
      assert.equal(nextPath(`<${path}>; rel="next"`, base), expected.pathname + expected.search);
      assert.equal(nextPath(`<https://evil.example${path}>; rel="next"`, base), undefined);
    }), RUNS);
  });
});

describe('Retry-After', () => {
  test('any value: undefined or a delay within the cap', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.nat().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())), (v) => {
      const ms = parseRetryAfter(v, defaultRetryPolicy, 1_700_000_000_000);
      if (ms !== undefined) assert.ok(ms >= 0 && ms <= defaultRetryPolicy.maxRetryAfterMs, String(ms));
    }), RUNS);
  });

  test('delta seconds round-trip (under the cap)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 60 }), (s) => assert.equal(parseRetryAfter(String(s), defaultRetryPolicy), s * 1000)), { numRuns: 61 });
  });
});

describe('manifest and index JSON', () => {
  const types = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json', 'application/vnd.docker.distribution.manifest.list.v2+json', ''];
  test('any bytes: a manifest, an index or a typed error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...types), (bytes, mt) => onlyTyped(() => parseManifest(Buffer.from(bytes), mt, 'prop'))), RUNS);
  });

  test('any JSON value: a manifest, an index or a typed error', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(...types), (doc, mt) => onlyTyped(() => parseManifest(Buffer.from(JSON.stringify(doc)), mt, 'prop'))), RUNS);
  });

  test('manifest-shaped JSON with hostile field values: typed errors only', () => {
    const anyVal = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null), fc.constant('__proto__'), fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 2 }), fc.double());
    const desc = fc.record({ mediaType: anyVal, digest: fc.oneof(anyVal, digestArb), size: fc.oneof(anyVal, fc.nat()) }, { requiredKeys: [] });
    const doc = fc.record({ schemaVersion: fc.oneof(fc.constant(2), anyVal), mediaType: fc.oneof(fc.constantFrom(...types), anyVal), config: fc.oneof(desc, anyVal), layers: fc.oneof(fc.array(desc, { maxLength: 3 }), anyVal), manifests: fc.oneof(fc.array(desc, { maxLength: 3 }), anyVal) }, { requiredKeys: [] });
    fc.assert(fc.property(doc, fc.constantFrom(...types), (d, mt) => onlyTyped(() => parseManifest(Buffer.from(JSON.stringify(d)), mt, 'prop'))), RUNS);
  });
});

describe('tar headers and paths', () => {
  /** A tar with one entry whose header fields are arbitrary (checksum recomputed so the parser reaches them). */
  function tarWith(name: string, type: string, size: number, linkname: string, body: Buffer): Buffer {
    const h = Buffer.alloc(512);
    h.write(name.slice(0, 100), 0, 'utf8');
    h.write('0000644\0', 100);
    h.write(`${size.toString(8).padStart(11, '0').slice(-11)}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write(type.slice(0, 1), 156);
    h.write(linkname.slice(0, 100), 157, 'utf8');
    h.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const pad = Buffer.alloc((512 - (body.length % 512)) % 512);
    return Buffer.concat([h, body, pad, Buffer.alloc(1024)]);
  }

  async function extractOnlyTyped(bytes: Buffer): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'regctl-prop-'));
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`extractArchive hung on ${bytes.toString('base64')}`)), 5000);
    });
    try {
      await Promise.race([extractArchive(Readable.from([bytes]), dir), hang]);
    } catch (err) {
      assert.ok(err instanceof RegctlError, `threw ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
    } finally {
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    }
  }

  test('hostile names, types, sizes and links: typed errors only', async () => {
    const nameArb = fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('../x', '/etc/passwd', 'a/../../b', './', '', 'a//b', 'blobs/sha256/..', '\0x'));
    await fc.assert(fc.asyncProperty(
      nameArb, fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', 'g', 'x', 'L', 'K', 'Z', '\0'), fc.integer({ min: 0, max: 4096 }), nameArb, fc.uint8Array({ maxLength: 1024 }),
      async (name, type, size, link, body) => extractOnlyTyped(tarWith(name, type, size, link, Buffer.from(body))),
    ), { numRuns: 150 });
  });

  test('random bytes, plain or with a gzip magic: typed errors only', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (bytes, gz) => {
      const buf = Buffer.from(bytes);
      await extractOnlyTyped(gz ? Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), buf]) : buf);
    }), { numRuns: 150 });
  });
});

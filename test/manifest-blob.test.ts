// The registry verbs of issue 15 §1 through the library: manifests, blobs and configs, judged by skopeo and by
// the registry's own answers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import type { OpsContext } from '../src/index.js';
import { blobDelete, blobGet, blobHead, blobPut } from '../src/ops/blob.js';
import { imageConfig } from '../src/ops/config.js';
import { manifestGet, manifestHead, manifestPut } from '../src/ops/manifest.js';
import { readAll, sha256 } from './helpers/bytes.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, withContext, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const skopeo = async (...args: string[]) => (await execFileAsync('skopeo', args)).stdout;

describe('manifests, blobs and configs (library)', () => {
  let reg: RegistryHandle;
  let home: Home;
  let tmp: string;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    tmp = await mkdtemp(join(tmpdir(), 'regctl-verbs-'));
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  const withCtx = <T>(fn: (ctx: OpsContext) => Promise<T>): Promise<T> => withContext(home, fn);

  test('manifestGet gives the bytes skopeo sees, by tag, by --platform out of an index, and from an OCI layout', async () => {
    const image = await seedImage({ url: reg.url }, 'm/get', '1');
    const index = await seedIndex({ url: reg.url }, 'm/idx', 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    const layout = join(tmp, 'get-layout');
    assert.equal((await runCli(['copy', '-q', `${reg.host}/m/get:1`, `oci:${layout}:one`], home.env)).code, 0);
    await withCtx(async (ctx) => {
      const got = await manifestGet(ctx, `${reg.host}/m/get:1`);
      assert.deepEqual(got.bytes, Buffer.from(await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/m/get:1`)));
      assert.equal(got.digest, image.digest);
      assert.equal(got.mediaType, image.mediaType);
      const arm = await manifestGet(ctx, `${reg.host}/m/idx:v1`, { platform: { os: 'linux', architecture: 'arm64' } });
      assert.equal(arm.digest, index.manifests[1]!.digest);
      await assert.rejects(manifestGet(ctx, `${reg.host}/m/idx:v1`, { platform: { os: 'linux', architecture: 's390x' } }), (e: Error & { exitCode?: number }) => e.exitCode === 3);
      const fromLayout = await manifestGet(ctx, `oci:${layout}:one`);
      assert.deepEqual(fromLayout.bytes, image.manifest);
    });
  });

  test('manifestHead answers from one HEAD: no manifest GET', async () => {
    const image = await seedImage({ url: reg.url }, 'm/head', '1');
    const proxy = await startProxy(reg.url);
    try {
      const head = await withCtx((ctx) => manifestHead(ctx, `${proxy.host}/m/head:1`));
      assert.deepEqual(head, { mediaType: image.mediaType, digest: image.digest, size: image.size });
      assert.deepEqual(proxy.requests.filter((q) => q.includes('/manifests/')), ['HEAD /v2/m/head/manifests/1']);
    } finally {
      await proxy.stop();
    }
  });

  test('manifestPut pushes bytes as given (skopeo sees that digest); refuses, listing them, when blobs are missing', async () => {
    const image = await seedImage({ url: reg.url }, 'm/put', '1', { mediaType: 'oci' });
    // An OCI manifest without its mediaType field: the media type is told by its shape.
    const doc = JSON.parse(image.manifest.toString('utf8'));
    delete doc.mediaType;
    const bytes = Buffer.from(JSON.stringify(doc, null, 3));
    await withCtx(async (ctx) => {
      const put = await manifestPut(ctx, `${reg.host}/m/put:bare`, bytes);
      assert.equal(put.mediaType, 'application/vnd.oci.image.manifest.v1+json');
      assert.equal(put.digest, sha256(bytes));
      const missing = await manifestPut(ctx, `${reg.host}/m/empty:1`, bytes).catch((e: Error & { exitCode?: number }) => e);
      assert.ok(missing instanceof Error);
      assert.equal(missing.exitCode, 3);
      for (const d of [image.configDigest, ...image.layerDigests]) assert.match(missing.message, new RegExp(`blob ${d}`));
      await assert.rejects(manifestPut(ctx, `${reg.host}/m/put@${image.digest}`, bytes), /digest is sha256:/);
      await assert.rejects(manifestPut(ctx, `${reg.host}/m/put:x`, Buffer.from('{"schemaVersion":2}')), /--content-type|media type/);
    });
    const raw = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/m/put:bare`);
    assert.equal(raw, bytes.toString('utf8'));
    const seen = (await skopeo('inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${reg.host}/m/put:bare`)).trim();
    assert.equal(seen, sha256(bytes));
  });

  test('blobPut and blobGet round trip, one PUT for a small file and PATCH chunks for a large stream; the registry agrees', async () => {
    const small = randomBytes(100_000);
    const large = randomBytes(40 * 1024 * 1024 + 123);
    const file = join(tmp, 'small.bin');
    await writeFile(file, small);
    const proxy = await startProxy(reg.url);
    try {
      await withCtx(async (ctx) => {
        const a = await blobPut(ctx, `${proxy.host}/b/rt`, { path: file });
        assert.deepEqual(a, { digest: sha256(small), size: small.length });
        assert.equal(proxy.requests.filter((q) => q.startsWith('PATCH')).length, 0, 'a small blob goes in one PUT');
        const b = await blobPut(ctx, `${proxy.host}/b/rt`, { stream: Readable.from([large.subarray(0, 5), large.subarray(5)]) });
        assert.deepEqual(b, { digest: sha256(large), size: large.length });
        assert.equal(proxy.requests.filter((q) => q.startsWith('PATCH')).length, 3, '40 MiB in 16 MiB chunks');
        assert.deepEqual(await blobHead(ctx, `${reg.host}/b/rt@${b.digest}`), { mediaType: 'application/octet-stream', digest: b.digest, size: large.length });
        const got = await blobGet(ctx, `${reg.host}/b/rt`, a.digest);
        assert.deepEqual(await readAll(got.stream), small);
      });
    } finally {
      await proxy.stop();
    }
    // The registry's own answer, read without regctl.
    const res = await request(`${reg.url}/v2/b/rt/blobs/${sha256(large)}`);
    assert.equal(res.statusCode, 200);
    assert.equal(sha256(Buffer.from(await res.body.arrayBuffer())), sha256(large));
  });

  test('blobGet checks what it streams (a corrupted byte is an integrity error); blobDelete removes the blob', async () => {
    const image = await seedImage({ url: reg.url }, 'b/check', '1');
    const layer = image.layerDigests[0]!;
    const proxy = await startProxy(reg.url, { fault: (method, url) => (method === 'GET' && url.pathname.endsWith(layer) ? { corrupt: true } : undefined) });
    try {
      await withCtx(async (ctx) => {
        const got = await blobGet(ctx, `${proxy.host}/b/check@${layer}`);
        await assert.rejects(readAll(got.stream), (e: Error & { exitCode?: number }) => e.exitCode === 6);
      });
    } finally {
      await proxy.stop();
    }
    await withCtx(async (ctx) => {
      await blobDelete(ctx, `${reg.host}/b/check@${layer}`);
      await assert.rejects(blobHead(ctx, `${reg.host}/b/check@${layer}`), (e: Error & { exitCode?: number }) => e.exitCode === 3);
    });
  });

  test('blobGet and imageConfig read OCI layouts too; a blob that is not the image\'s is not found', async () => {
    const image = await seedImage({ url: reg.url }, 'b/layout', '1');
    const layout = join(tmp, 'blob-layout');
    assert.equal((await runCli(['copy', '-q', `${reg.host}/b/layout:1`, `oci:${layout}:v1`], home.env)).code, 0);
    await withCtx(async (ctx) => {
      const config = await imageConfig(ctx, `oci:${layout}:v1`);
      assert.deepEqual(config.bytes, image.config);
      assert.equal(config.digest, image.configDigest);
      const layer = await blobGet(ctx, `oci:${layout}:v1`, image.layerDigests[0]!);
      assert.equal(sha256(await readAll(layer.stream)), image.layerDigests[0]);
      await assert.rejects(blobGet(ctx, `oci:${layout}:v1`, sha256('nope')), (e: Error & { exitCode?: number }) => e.exitCode === 3);
      assert.deepEqual((await imageConfig(ctx, `${reg.host}/b/layout:1`)).bytes, image.config);
    });
  });

  test('imageConfig of an index takes the platform asked for', async () => {
    await seedIndex({ url: reg.url }, 'c/idx', 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]);
    await withCtx(async (ctx) => {
      const arm = JSON.parse((await imageConfig(ctx, `${reg.host}/c/idx:v1`, { platform: { os: 'linux', architecture: 'arm64' } })).bytes.toString('utf8'));
      assert.equal(arm.architecture, 'arm64');
      await assert.rejects(imageConfig(ctx, `${reg.host}/c/idx:v1`, { platform: { os: 'windows', architecture: 'amd64' } }), (e: Error & { exitCode?: number }) => e.exitCode === 3);
    });
  });

  test('manifestGet, imageConfig and blobGet read a docker-archive written by save', async () => {
    const image = await seedImage({ url: reg.url }, 'm/archive', '1');
    const tar = join(tmp, 'saved.tar');
    assert.equal((await runCli(['save', '-q', '-o', tar, `${reg.host}/m/archive:1`], home.env)).code, 0);
    await withCtx(async (ctx) => {
      assert.equal((await manifestGet(ctx, `docker-archive:${tar}`)).digest, image.digest);
      assert.deepEqual((await imageConfig(ctx, `docker-archive:${tar}`)).bytes, image.config);
      const layer = await blobGet(ctx, `docker-archive:${tar}`, image.layerDigests[0]!);
      assert.equal(sha256(await readAll(layer.stream)), image.layerDigests[0]);
    });
  });
});

// index create / add / remove (issue 15 §2) through the library, judged by skopeo (inspect --raw, copy --all) and
// by `regctl pull --platform` of each entry.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { OpsContext } from '../src/index.js';
import { indexAdd, indexCreate, indexRemove } from '../src/ops/image-index.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, withContext, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const rawIndex = async (ref: string) =>
  JSON.parse((await execFileAsync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`])).stdout) as {
    mediaType: string; manifests: Array<{ digest: string; platform?: { os: string; architecture: string; variant?: string } }>; annotations?: Record<string, string>;
  };
const platforms = (doc: Awaited<ReturnType<typeof rawIndex>>) => doc.manifests.map((m) => [m.platform?.os, m.platform?.architecture, m.platform?.variant].filter(Boolean).join('/'));

describe('index create, add and remove (library)', () => {
  let a: RegistryHandle;
  let b: RegistryHandle;
  let home: Home;
  let tmp: string;

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    tmp = await mkdtemp(join(tmpdir(), 'regctl-index-'));
    home = await makeHome(undefined, { REGCTL_STORE: join(tmp, 'store') });
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await home.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  const withCtx = <T>(fn: (ctx: OpsContext) => Promise<T>): Promise<T> => withContext(home, fn);

  test('index create from images in other repositories and another registry: skopeo reads it, copies it whole, pull picks each platform', async () => {
    const amd = await seedImage({ url: a.url }, 'build/amd64', '1', { platform: { os: 'linux', architecture: 'amd64' } });
    const arm = await seedImage({ url: b.url }, 'build/arm', '1', { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } });
    const made = await withCtx((ctx) => indexCreate(ctx, `${a.host}/app/multi:v1`, [`${a.host}/build/amd64:1`, `${b.host}/build/arm:1`], {
      annotations: { 'org.opencontainers.image.source': 'https://example.invalid/app' },
    }));
    const doc = await rawIndex(`${a.host}/app/multi:v1`);
    assert.equal(doc.mediaType, 'application/vnd.oci.image.index.v1+json');
    assert.deepEqual(doc.manifests.map((m) => m.digest), [amd.digest, arm.digest]);
    assert.deepEqual(platforms(doc), ['linux/amd64', 'linux/arm/v7'], 'platforms come from the images\' configs');
    assert.deepEqual(doc.annotations, { 'org.opencontainers.image.source': 'https://example.invalid/app' });
    assert.equal(made.digest, (await execFileAsync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${a.host}/app/multi:v1`])).stdout.trim());
    await execFileAsync('skopeo', ['copy', '--all', '--src-tls-verify=false', `docker://${a.host}/app/multi:v1`, `oci:${join(tmp, 'skopeo-all')}:v1`]);
    for (const [platform, image] of [['linux/amd64', amd], ['linux/arm/v7', arm]] as const) {
      const r = await runCli(['pull', '-q', '--platform', platform, `${a.host}/app/multi:v1`], home.env);
      assert.equal(r.code, 0, r.stderr);
      const inspected = await runCli(['inspect', '--raw', `local:${a.host}/app/multi:v1`], home.env);
      assert.deepEqual(inspected.stdoutBytes, image.manifest, `pull --platform ${platform} gives that image`);
    }
  });

  test('index create as a Docker manifest list (manifestFormat) and platforms out of an existing index', async () => {
    const src = await seedIndex({ url: a.url }, 'src/three', 'v1', [
      { os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 's390x' },
    ], { mediaType: 'docker' });
    await withCtx((ctx) => indexCreate(ctx, `${a.host}/app/two:v1`, [`${a.host}/src/three:v1`], {
      manifestFormat: 'docker', platforms: [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 's390x' }],
    }));
    const doc = await rawIndex(`${a.host}/app/two:v1`);
    assert.equal(doc.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.deepEqual(doc.manifests.map((m) => m.digest), [src.manifests[0]!.digest, src.manifests[2]!.digest]);
    await execFileAsync('skopeo', ['copy', '--all', '--src-tls-verify=false', `docker://${a.host}/app/two:v1`, `oci:${join(tmp, 'skopeo-two')}:v1`]);
    await withCtx(async (ctx) => {
      await assert.rejects(indexCreate(ctx, `${a.host}/app/x:1`, [`${a.host}/src/three:v1`], { manifestFormat: 'docker', annotations: { k: 'v' } }), /no annotations/);
      await assert.rejects(indexCreate(ctx, `${a.host}/app/x:1`, [`${a.host}/src/three:v1`], { platforms: [{ os: 'windows', architecture: 'amd64' }] }),
        (e: Error & { exitCode?: number }) => e.exitCode === 3);
    });
  });

  test('index add writes a new index to the same tag; remove by platform or digest, to another tag with -t', async () => {
    const amd = await seedImage({ url: a.url }, 'edit/amd64', '1', { platform: { os: 'linux', architecture: 'amd64' } });
    const arm = await seedImage({ url: a.url }, 'edit/arm64', '1', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    const ppc = await seedImage({ url: b.url }, 'edit/ppc', '1', { platform: { os: 'linux', architecture: 'ppc64le' } });
    await withCtx(async (ctx) => {
      const first = await indexCreate(ctx, `${a.host}/edit/app:v1`, [`${a.host}/edit/amd64:1`]);
      const added = await indexAdd(ctx, `${a.host}/edit/app:v1`, [`${a.host}/edit/arm64:1`, `${b.host}/edit/ppc:1`, `${a.host}/edit/amd64:1`]);
      assert.notEqual(added.digest, first.digest);
      assert.deepEqual((await rawIndex(`${a.host}/edit/app:v1`)).manifests.map((m) => m.digest), [amd.digest, arm.digest, ppc.digest], 'an entry already there is kept once');
      const removed = await indexRemove(ctx, `${a.host}/edit/app:v1`, { platforms: [{ os: 'linux', architecture: 'arm64' }], digests: [ppc.digest], tag: 'slim' });
      assert.deepEqual((await rawIndex(`${a.host}/edit/app:slim`)).manifests.map((m) => m.digest), [amd.digest]);
      assert.equal(removed.name, `${a.host}/edit/app:slim`);
      assert.equal((await rawIndex(`${a.host}/edit/app:v1`)).manifests.length, 3, 'the index under its own tag is unchanged');
      await assert.rejects(indexRemove(ctx, `${a.host}/edit/app:v1`, { platforms: [{ os: 'windows', architecture: 'amd64' }] }), (e: Error & { exitCode?: number }) => e.exitCode === 3);
      await assert.rejects(indexAdd(ctx, `${a.host}/edit/amd64:1`, [`${a.host}/edit/arm64:1`]), /not an index/);
    });
    await execFileAsync('skopeo', ['copy', '--all', '--src-tls-verify=false', `docker://${a.host}/edit/app:v1`, `oci:${join(tmp, 'skopeo-edit')}:v1`]);
  });

  test('index create into an OCI layout: one named index entry; skopeo copies it whole from there', async () => {
    const amd = await seedImage({ url: a.url }, 'lay/amd64', '1', { platform: { os: 'linux', architecture: 'amd64' }, mediaType: 'oci' });
    const arm = await seedImage({ url: b.url }, 'lay/arm64', '1', { platform: { os: 'linux', architecture: 'arm64' }, mediaType: 'oci' });
    const dir = join(tmp, 'index-layout');
    const made = await withCtx((ctx) => indexCreate(ctx, `oci:${dir}:multi`, [`${a.host}/lay/amd64:1`, `${b.host}/lay/arm64:1`]));
    const layoutIndex = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    assert.deepEqual(layoutIndex.manifests.map((m) => [m.digest, m.annotations?.['org.opencontainers.image.ref.name']]), [[made.digest, 'multi']]);
    await execFileAsync('skopeo', ['copy', '--all', '--dest-tls-verify=false', `oci:${dir}:multi`, `docker://${b.host}/from-layout/multi:1`]);
    assert.deepEqual((await rawIndex(`${b.host}/from-layout/multi:1`)).manifests.map((m) => m.digest), [amd.digest, arm.digest]);
  });

  test('within one registry the images\' blobs are mounted into the index\'s repository, not sent again', async () => {
    const image = await seedImage({ url: a.url }, 'mount/src', '1');
    const proxy = await startProxy(a.url);
    try {
      await withCtx((ctx) => indexCreate(ctx, `${proxy.host}/mount/dst:1`, [`${proxy.host}/mount/src:1`]));
      const mounts = proxy.requests.filter((q) => q.startsWith('POST /v2/mount/dst/blobs/uploads/?') && q.includes('from=mount%2Fsrc'));
      assert.equal(mounts.length, 1 + image.layerDigests.length, 'config and layers mounted');
      assert.deepEqual(proxy.requests.filter((q) => q.startsWith('PUT /v2/mount/dst/blobs/') || q.startsWith('PATCH')), [], 'no blob bytes sent');
    } finally {
      await proxy.stop();
    }
  });
});

// Issue 21 §3: the defects found in last round's verbs (prune --keep, sync --dry-run's total, index create as a
// Docker manifest list, duplicate index entries, append --reproducible's host path, blob get of a missing blob),
// each against the real registry and judged by skopeo where it reads the result.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { indexCreate } from '../src/index.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, withContext, type Home } from './helpers/run-cli.js';
import { seedImage, seedManifest, tarLayer } from './helpers/seed.js';

const execFileAsync = promisify(execFile);

/** Every header of a tar, as tar-stream reads it. */
async function tarHeaders(tar: Buffer): Promise<Header[]> {
  const ex = extract();
  Readable.from([tar]).pipe(ex as unknown as NodeJS.WritableStream);
  const out: Header[] = [];
  for await (const e of ex) {
    out.push(e.header);
    e.resume();
  }
  return out;
}

describe('issue 21 §3: defects of last round\'s verbs', () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  const cli = (...args: string[]) => runCli(args, home.env);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const raw = async (ref: string) => JSON.parse((await execFileAsync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`])).stdout);
  const configOf = async (ref: string) => JSON.parse((await execFileAsync('skopeo', ['inspect', '--config', '--tls-verify=false', `docker://${ref}`])).stdout);
  const tags = async (repo: string) => (await cli('tags', `${reg.host}/${repo}`)).stdout.split('\n').filter(Boolean).sort();

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    T = await mkdtemp(join(tmpdir(), 'regctl-defects-'));
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(T, { recursive: true, force: true });
  });

  test('prune --keep N keeps N images, each with all its tags: latest and 1.0.6 on one digest are one image', async () => {
    const repo = 'keep/images';
    const day = (d: number) => `2024-03-0${d}T00:00:00Z`;
    await seedImage({ url: reg.url }, repo, '1.0.4', { created: day(1), layers: [tarLayer({ v: '4' })] });
    await seedImage({ url: reg.url }, repo, '1.0.5', { created: day(2), layers: [tarLayer({ v: '5' })] });
    const newest = await seedImage({ url: reg.url }, repo, '1.0.6', { created: day(3), layers: [tarLayer({ v: '6' })] });
    await seedManifest({ url: reg.url }, repo, 'latest', JSON.parse(newest.manifest.toString()));

    const plan = JSON.parse(await ok('prune', `${reg.host}/${repo}`, '--keep', '2', '--format', 'json')) as { tags: Array<{ tag: string; decision: string }> };
    assert.deepEqual(Object.fromEntries(plan.tags.map((t) => [t.tag, t.decision])), { '1.0.6': 'keep', latest: 'keep', '1.0.5': 'keep', '1.0.4': 'delete' });
    await ok('prune', `${reg.host}/${repo}`, '--keep', '2', '--yes');
    assert.deepEqual(await tags(repo), ['1.0.5', '1.0.6', 'latest'], 'the two newest images stay, the newest with both its tags');
  });

  test('sync --dry-run\'s total counts a blob three images share once: it is what the sync then sends', async () => {
    const base = tarLayer({ 'base.bin': randomBytes(300_000) });
    let manifests = 0;
    for (const tag of ['1', '2', '3']) {
      manifests += (await seedImage({ url: reg.url }, 'shared/src', tag, { layers: [base, tarLayer({ 'own.txt': `image ${tag}` })] })).size;
    }
    // to another registry: within one, the copy mounts blobs instead of sending them
    const other = await startRegistry();
    try {
      const dry = JSON.parse(await ok('sync', '--dry-run', '-q', '--format', 'json', `${reg.host}/shared/src`, `${other.host}/shared/dst`)) as { bytes: number; images: Array<{ bytes: number }> };
      assert.equal(dry.images.length, 3);
      const perImage = dry.images.reduce((n, i) => n + i.bytes, 0);
      assert.ok(perImage > 900_000, 'each image alone would send the shared layer');
      const text = await cli('sync', '--dry-run', `${reg.host}/shared/src`, `${other.host}/shared/dst`);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stderr, /TO SEND[^]*\b3\s+0\s+0\s+3\d\dkB\s/, text.stderr);
      const sent = JSON.parse(await ok('sync', '-q', '--format', 'json', `${reg.host}/shared/src`, `${other.host}/shared/dst`)) as { bytes: number; copied: number };
      assert.equal(sent.copied, 3);
      // the sync's figure is blob bytes; the dry run's adds the manifests it would push
      assert.equal(dry.bytes, sent.bytes + manifests, 'the dry run\'s TO SEND is what the sync sent');
      assert.ok(dry.bytes < 400_000, `the shared layer counted once (${dry.bytes})`);
    } finally {
      await other.stop();
    }
  });

  test('index create --manifest-format docker converts OCI images to Docker manifests (same blobs); zstd is refused, nothing written', async () => {
    const amd = await seedImage({ url: reg.url }, 'conv/amd64', '1', { platform: { os: 'linux', architecture: 'amd64' }, mediaType: 'oci' });
    const arm = await seedImage({ url: reg.url }, 'conv/arm64', '1', { platform: { os: 'linux', architecture: 'arm64' }, mediaType: 'oci' });
    await ok('index', 'create', '-q', '--manifest-format', 'docker', `${reg.host}/conv/list:1`, `${reg.host}/conv/amd64:1`, `${reg.host}/conv/arm64:1`);
    const list = await raw(`${reg.host}/conv/list:1`);
    assert.equal(list.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.equal(list.manifests.length, 2);
    for (const [entry, image] of [[list.manifests[0], amd], [list.manifests[1], arm]] as const) {
      assert.equal(entry.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      const child = await raw(`${reg.host}/conv/list@${entry.digest}`);
      assert.equal(child.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
      assert.equal(child.config.mediaType, 'application/vnd.docker.container.image.v1+json');
      assert.equal(child.config.digest, image.configDigest, 'the same config blob');
      assert.deepEqual(child.layers.map((l: { mediaType: string }) => l.mediaType), ['application/vnd.docker.image.rootfs.diff.tar.gzip']);
      assert.deepEqual(child.layers.map((l: { digest: string }) => l.digest), image.layerDigests, 'the same layer blobs');
    }
    // skopeo copies the whole list (every child is a Docker manifest it can read)
    await execFileAsync('skopeo', ['copy', '--all', '--src-tls-verify=false', `docker://${reg.host}/conv/list:1`, `dir:${join(T, 'skopeo-list')}`]);
    // index add keeps a manifest list one: the OCI image added is converted too
    await seedImage({ url: reg.url }, 'conv/ppc', '1', { platform: { os: 'linux', architecture: 'ppc64le' }, mediaType: 'oci' });
    await ok('index', 'add', '-q', `${reg.host}/conv/list:1`, `${reg.host}/conv/ppc:1`);
    const added = await raw(`${reg.host}/conv/list:1`);
    assert.equal(added.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    assert.deepEqual(added.manifests.map((m: { mediaType: string }) => m.mediaType), Array(3).fill('application/vnd.docker.distribution.manifest.v2+json'));

    const tar = join(T, 'z.tar');
    await writeFile(tar, tarLayer({ 'z.txt': 'zstd' }));
    await ok('append', '-q', 'scratch', '-t', `${reg.host}/conv/zstd:1`, '-f', tar, '--compress', 'zstd', '--manifest-format', 'oci', '--platform', 'linux/s390x');
    const refused = await cli('index', 'create', '-q', '--manifest-format', 'docker', `${reg.host}/conv/mixed:1`, `${reg.host}/conv/amd64:1`, `${reg.host}/conv/zstd:1`);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /conv\/zstd:1 cannot go into a Docker manifest list: .*zstd has no Docker equivalent/);
    assert.match(refused.stderr, /--manifest-format/);
    assert.equal((await cli('digest', `${reg.host}/conv/mixed:1`)).code, 3, 'no list written');
    assert.equal((await cli('manifest', 'head', `${reg.host}/conv/mixed@${list.manifests[0].digest}`)).code, 3, 'nor the amd64 image converted before it');
  });

  test('index create / add refuse the same image twice or two images of one platform (exit 2, naming both) unless --allow-duplicates', async () => {
    await seedImage({ url: reg.url }, 'dup/a', '1', { platform: { os: 'linux', architecture: 'amd64' }, layers: [tarLayer({ a: 'a' })] });
    await seedImage({ url: reg.url }, 'dup/b', '1', { platform: { os: 'linux', architecture: 'amd64' }, layers: [tarLayer({ b: 'b' })] });
    await seedImage({ url: reg.url }, 'dup/arm', '1', { platform: { os: 'linux', architecture: 'arm64' } });
    const a = `${reg.host}/dup/a:1`;
    const b = `${reg.host}/dup/b:1`;

    const twice = await cli('index', 'create', '-q', `${reg.host}/dup/idx:twice`, a, a);
    assert.equal(twice.code, 2, twice.stderr);
    assert.match(twice.stderr, new RegExp(`${a} and ${a} are the same image`));
    assert.match(twice.stderr, /--allow-duplicates/);
    const platform = await cli('index', 'create', '-q', `${reg.host}/dup/idx:platform`, a, b);
    assert.equal(platform.code, 2, platform.stderr);
    assert.match(platform.stderr, new RegExp(`${a} and ${b} are both linux/amd64`));
    for (const tag of ['twice', 'platform']) assert.equal((await cli('digest', `${reg.host}/dup/idx:${tag}`)).code, 3, 'nothing written');

    await ok('index', 'create', '-q', `${reg.host}/dup/idx:1`, a, `${reg.host}/dup/arm:1`);
    const add = await cli('index', 'add', '-q', `${reg.host}/dup/idx:1`, b);
    assert.equal(add.code, 2, add.stderr);
    assert.match(add.stderr, new RegExp(`${reg.host}/dup/idx:1's entry sha256:[0-9a-f]{64} and ${b} are both linux/amd64`));
    assert.equal((await raw(`${reg.host}/dup/idx:1`)).manifests.length, 2, 'the index is unchanged');

    await ok('index', 'add', '-q', '--allow-duplicates', `${reg.host}/dup/idx:1`, b);
    assert.equal((await raw(`${reg.host}/dup/idx:1`)).manifests.length, 3);
    // the library refuses the same way, and takes the option
    await withContext(home, async (ctx) => {
      await assert.rejects(indexCreate(`${reg.host}/dup/lib:1`, [a, b], { context: ctx }), (e: Error & { exitCode?: number; option?: string }) => e.exitCode === 2 && e.option === 'allowDuplicates');
      const made = await indexCreate(`${reg.host}/dup/lib:1`, [a, b], { context: ctx, allowDuplicates: true });
      assert.equal(made.manifests.length, 2);
      await assert.rejects(indexCreate(`${reg.host}/dup/lib:2`, [a], { context: ctx, allowDuplicates: 'yes' as unknown as boolean }), /option allowDuplicates/);
    });
  });

  test('append --dir --reproducible records nothing of the host: the same files under another path give the same digest', async () => {
    const files = async (dir: string) => {
      await mkdir(join(dir, 'conf'), { recursive: true });
      await writeFile(join(dir, 'conf', 'app.yaml'), 'port: 8080\n', { mode: 0o644 });
      await writeFile(join(dir, 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    };
    const one = join(T, 'checkout-one', 'app');
    const two = join(T, 'elsewhere', 'deeper', 'app-copy');
    await files(one);
    await mkdir(join(T, 'elsewhere', 'deeper'), { recursive: true });
    await cp(one, two, { recursive: true });
    const first = await ok('append', '-q', 'scratch', '--platform', 'linux/amd64', '-t', `${reg.host}/repro/app:1`, '--dir', `${one}:/app`, '--reproducible');
    const second = await ok('append', '-q', 'scratch', '--platform', 'linux/amd64', '-t', `${reg.host}/repro/app:2`, '--dir', `${two}:/app`, '--reproducible');
    assert.equal(second, first, 'the same digest wherever the files are');
    const config = await configOf(`${reg.host}/repro/app:1`);
    assert.equal(config.history.at(-1).created_by, 'regctl append --dir <directory>:/app');
    assert.ok(!JSON.stringify(config).includes(T), 'no host path in the config');
    // the layer: owner 0:0 with no names, times at the epoch
    const manifest = await raw(`${reg.host}/repro/app:1`);
    const tar = gunzipSync((await cli('blob', 'get', `${reg.host}/repro/app@${manifest.layers[0].digest}`)).stdoutBytes);
    assert.ok(!tar.includes(Buffer.from(T)), 'no host path in the layer');
    const headers = await tarHeaders(tar);
    assert.deepEqual(headers.map((h) => h.name), ['app/', 'app/conf/', 'app/conf/app.yaml', 'app/run.sh']);
    for (const h of headers) {
      assert.deepEqual([h.uid, h.gid, h.uname ?? '', h.gname ?? '', h.mtime?.getTime()], [0, 0, '', '', 0], `${h.name}: owner 0:0, no names, time 0`);
      assert.deepEqual(Object.keys(h.pax ?? {}).filter((k) => /time|uname|gname|path/.test(k)), [], `${h.name}: no pax times or names`);
    }
    // without --reproducible the history says where the files came from, as before
    await ok('append', '-q', 'scratch', '--platform', 'linux/amd64', '-t', `${reg.host}/repro/app:3`, '--dir', `${one}:/app`);
    assert.equal((await configOf(`${reg.host}/repro/app:3`)).history.at(-1).created_by, `regctl append --dir ${one}:/app`);
  });

  test('blob get of a blob the repository lacks says not found (exit 3), not "checking blob"', async () => {
    await seedImage({ url: reg.url }, 'blobs/app', '1');
    const missing = `sha256:${'0'.repeat(64)}`;
    for (const args of [['blob', 'get', `${reg.host}/blobs/app@${missing}`], ['blob', 'get', `${reg.host}/blobs/app`, missing]]) {
      const r = await cli(...args);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`blob ${missing} not found in ${reg.host}/blobs/app`));
      assert.doesNotMatch(r.stderr, /checking/);
    }
  });
});

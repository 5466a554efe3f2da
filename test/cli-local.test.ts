import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runBin, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, tarLayer, type SeededImage, type SeededIndex } from './helpers/seed.js';

const execFileAsync = promisify(execFile);

/** The file names under the store's blobs/sha256 directory. */
async function storeBlobs(store: string): Promise<string[]> {
  return readdir(join(store, 'blobs', 'sha256')).catch(() => []);
}

describe('local image store: pull, tag, images, push, rmi', () => {
  let a: RegistryHandle;
  let b: RegistryHandle;
  let home: Home;
  let store: string;
  let index: SeededIndex;
  let app: SeededImage;

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    home = await makeHome();
    store = join(home.dir, 'store');
    home.env.REGCTL_STORE = store;
    index = await seedIndex({ url: a.url }, 'lib/multi', '1', [
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'amd64' },
    ]);
    app = await seedImage({ url: a.url }, 'lib/app', '2', { layers: [tarLayer({ 'big.bin': randomBytes(2 * 1024 * 1024) })] });
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await home.cleanup();
  });

  const cli = (...args: string[]) => runCli(args, home.env);
  /** A store of the test's own, for tests that count its blobs (so they run alone and in any order). */
  const ownStore = (name: string) => {
    const env = { ...home.env, REGCTL_STORE: join(home.dir, `store-${name}`) };
    return { dir: env.REGCTL_STORE, cli: (...args: string[]) => runCli(args, env) };
  };

  test('pull takes the host platform from an index and says so like docker', async () => {
    const r = await cli('pull', '-q', `${a.host}/lib/multi:1`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${a.host}/lib/multi:1\n`);
    const list = JSON.parse((await cli('images', '--format', 'json')).stdout);
    const amd64 = index.manifests.find((m) => m.platform.architecture === 'amd64')!;
    assert.deepEqual(list.map((i: { name: string; digest: string }) => [i.name, i.digest]), [[`${a.host}/lib/multi:1`, amd64.digest]]);
    const again = await cli('pull', `${a.host}/lib/multi:1`);
    assert.equal(again.stdout, `Digest: ${index.digest}\nStatus: Image is up to date for ${a.host}/lib/multi:1\n${a.host}/lib/multi:1\n`);
  });

  test('pull --platform and --all-platforms', async () => {
    const arm = await cli('pull', '-q', '--platform', 'linux/arm64', `${a.host}/lib/multi:1`);
    assert.equal(arm.code, 0, arm.stderr);
    const all = await cli('pull', '-q', '--all-platforms', `${a.host}/lib/multi:1`);
    assert.equal(all.code, 0, all.stderr);
    const list = JSON.parse((await cli('images', '--format', 'json')).stdout);
    assert.equal(list.find((i: { name: string }) => i.name === `${a.host}/lib/multi:1`).digest, index.digest);
    const { stdout } = await execFileAsync('skopeo', ['inspect', '--raw', `oci:${store}:${a.host}/lib/multi:1`]);
    assert.equal(JSON.parse(stdout).manifests.length, 2, 'skopeo reads the stored index');
    assert.equal((await cli('pull', '--platform', 'linux/amd64', '--all-platforms', `${a.host}/lib/multi:1`)).code, 2);
  });

  test('pull prints Digest and Status; tag; images table; push keeps the digest', async () => {
    const r = await cli('pull', `${a.host}/lib/app:2`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Digest: ${app.digest}\nStatus: Downloaded newer image for ${a.host}/lib/app:2\n${a.host}/lib/app:2\n`);
    assert.equal((await cli('tag', `${a.host}/lib/app:2`, `${b.host}/team/app:v1`)).code, 0);
    const table = (await cli('images')).stdout.split('\n');
    assert.match(table[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.ok(table.some((l) => l.startsWith(`${b.host}/team/app `) && l.includes(' v1 ') && l.includes(app.configDigest.slice(7, 19))));
    const push = await cli('push', `${b.host}/team/app:v1`);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(push.stdout, `${b.host}/team/app:v1: digest: ${app.digest} size: ${app.size}\n`);
    const { stdout } = await execFileAsync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${b.host}/team/app:v1`]);
    assert.equal(stdout.trim(), app.digest);
  });

  test('tag REGISTRY/REPO:TAG NEWTAG tags in the registry: same digest, one manifest GET and PUT, no blob; NAME:TAG targets stay local', async () => {
    const { cli } = ownStore('remote-tag');
    const counted = await startProxy(a.url);
    try {
      assert.equal((await cli('digest', `${counted.host}/lib/app:2`)).code, 0); // the ping is remembered
      counted.requests.length = 0;
      const r = await cli('tag', `${counted.host}/lib/app:2`, 'stable');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.deepEqual(counted.requests, ['GET /v2/lib/app/manifests/2', 'PUT /v2/lib/app/manifests/stable']);
    } finally {
      await counted.stop();
    }
    assert.equal((await cli('digest', `${a.host}/lib/app:stable`)).stdout, `${app.digest}\n`);
    assert.deepEqual(JSON.parse((await cli('images', '--format', 'json')).stdout), [], 'the local store is untouched');
    // a target with ":" or "/" names a local image (docker tag), whatever the source
    const local = await cli('tag', `${a.host}/lib/app:2`, `${a.host}/lib/app:local`);
    assert.equal(local.code, 3, local.stderr);
    assert.match(local.stderr, /not found in the local store/);
    assert.equal((await cli('digest', `${a.host}/lib/app:local`)).code, 3, 'nothing tagged in the registry');
    const help = await cli('tag', '--help');
    assert.match(help.stdout, /regctl tag REGISTRY\/REPO:TAG NEWTAG/);
  });

  test('a local image that does not exist: exit 3 with a hint', async () => {
    for (const args of [['push', `${b.host}/no/such:1`], ['tag', 'nope', 'other'], ['rmi', 'nope']]) {
      const r = await cli(...args);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /not found in the local store/);
      assert.match(r.stderr, args[0] === 'rmi' ? /^hint: see the names and IDs with: regctl images$/m : /^hint: pull it first: regctl pull /m);
    }
  });

  test('rmi untags; blobs still used by another name stay, unused ones go', async () => {
    const { dir, cli } = ownStore('rmi');
    assert.equal((await cli('pull', '-q', `${a.host}/lib/app:2`)).code, 0);
    assert.equal((await cli('tag', `${a.host}/lib/app:2`, `${b.host}/team/app:v1`)).code, 0);
    const before = await storeBlobs(dir);
    const r = await cli('rmi', `${a.host}/lib/app:2`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Untagged: ${a.host.replace(/\./g, '\\.')}/lib/app:2$`, 'm'));
    assert.deepEqual(await storeBlobs(dir), before, 'team/app:v1 still needs every blob');
    const r2 = await cli('rmi', `${b.host}/team/app:v1`);
    assert.equal(r2.code, 0, r2.stderr);
    const left = await storeBlobs(dir);
    assert.ok(!left.includes(app.layerDigests[0]!.slice(7)), 'the big layer is gone');
    assert.equal(r2.stdout, `Untagged: ${b.host}/team/app:v1\nDeleted: ${app.configDigest}\n`);
  });

  test('an interrupted pull leaves nothing visible; a rerun completes', async () => {
    const { dir, cli } = ownStore('interrupted');
    const cut = await startProxy(a.url, { fault: (m, u) => (m === 'GET' && u.pathname.endsWith(app.layerDigests[0]!) ? { cutAfter: 100_000 } : undefined) });
    try {
      const r = await cli('pull', '-q', `${cut.host}/lib/app:2`);
      assert.equal(r.code, 5, r.stderr);
      assert.ok(cut.faulted.length >= 1, 'the download was cut');
      assert.ok(!(await storeBlobs(dir)).includes(app.layerDigests[0]!.slice(7)));
      const names = JSON.parse((await cli('images', '--format', 'json')).stdout).map((i: { name: string }) => i.name);
      assert.ok(!names.includes(`${cut.host}/lib/app:2`));
    } finally {
      await cut.stop();
    }
    const rerun = await cli('pull', '-q', `${a.host}/lib/app:2`);
    assert.equal(rerun.code, 0, rerun.stderr);
  });

  test('two regctl processes pulling at once leave a consistent store', async () => {
    const imgs = await Promise.all(['x1', 'x2', 'x3', 'x4'].map((t) => seedImage({ url: a.url }, `par/${t}`, '1', { layers: [tarLayer({ [t]: randomBytes(300_000) }), tarLayer({ shared: 'same' })] })));
    const runs = await Promise.all(['x1', 'x2', 'x3', 'x4'].map((t) => runBin(['pull', '-q', `${a.host}/par/${t}:1`], home.env)));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse((await cli('images', '--format', 'json')).stdout) as { name: string; digest: string }[];
    for (const [i, t] of ['x1', 'x2', 'x3', 'x4'].entries()) {
      assert.equal(list.find((e) => e.name === `${a.host}/par/${t}:1`)?.digest, imgs[i]!.digest);
    }
    const index = JSON.parse(await readFile(join(store, 'index.json'), 'utf8'));
    assert.ok(Array.isArray(index.manifests));
  });
});

// The local store, archives and image changes through regctl as a user installs it (test/helpers/installed.ts;
// installed.test.ts has the registry commands). zstd on Node 20 (no zstd in node:zlib) is @mongodb-js/zstd, the
// package's optional dependency, loaded by the installed bundle: load of a .tar.zst, append --compress zstd,
// append -f layer.tar.zst, flatten --compress zstd, export of zstd layers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sha256, tarOf, zstdCompress } from './helpers/images.js';
import { installed, runInstalled } from './helpers/installed.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type Home, type TestEnv } from './helpers/run-cli.js';
import { seedImage, tarLayer, type SeededImage } from './helpers/seed.js';
import { served, type Served } from './helpers/served.js';

const execFileAsync = promisify(execFile);
const INSTALL_TIMEOUT_MS = 120_000;
const ZSTD_LAYER = 'application/vnd.oci.image.layer.v1.tar+zstd';

describe('the installed regctl: local store, archives, image changes', () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  let base: SeededImage;
  let app: SeededImage;
  let judge: Served;

  before(async () => {
    await installed();
    reg = await startRegistry();
    judge = served(reg);
    home = await makeHome();
    T = await mkdtemp(join(tmpdir(), 'regctl-installed-'));
    // OCI media types, so zstd layers may be added without converting the manifest
    base = await seedImage({ url: reg.url }, 'lib/base', '1', { mediaType: 'oci', layers: [tarLayer({ 'etc/base.txt': 'base\n' })] });
    app = await seedImage({ url: reg.url }, 'lib/app', '1', { mediaType: 'oci', layers: [tarLayer({ 'etc/base.txt': 'base\n' }), tarLayer({ 'app/run.sh': 'run\n' })] });
  }, { timeout: INSTALL_TIMEOUT_MS });
  after(async () => {
    await Promise.all([reg?.stop(), home?.cleanup()]);
    if (T) await rm(T, { recursive: true, force: true });
  });

  /** Runs the installed regctl (with a store of the test's own), requires exit 0, returns stdout. */
  const ok = async (args: string[], store = 'store'): Promise<string> => {
    const env: TestEnv = { ...home.env, REGCTL_STORE: join(home.dir, store) };
    const r = await runInstalled(args, env);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    return r.stdout;
  };
  const repoOf = (name: string) => `${reg.host}/${name}`;
  /** The names of the files in the tar `regctl export` writes of an image, sorted. */
  const exported = async (image: string, name: string): Promise<string[]> => {
    const file = join(T, `${name}.tar`);
    await ok(['export', image, '-o', file]);
    return (await execFileAsync('tar', ['-tf', file])).stdout.split('\n').filter((entry) => entry && !entry.endsWith('/')).sort();
  };

  test('pull, tag, images, push and rmi through the local store', async () => {
    const image = `${repoOf('lib/app')}:1`;
    const pushed = `${repoOf('pushed/app')}:2`;
    const names = async () => (JSON.parse(await ok(['images', '--format', 'json'], 'local')) as Array<{ name: string; digest: string }>).map((i) => [i.name, i.digest]).sort();
    assert.equal(await ok(['pull', image], 'local'), `Digest: ${app.digest}\nStatus: Downloaded newer image for ${image}\n${image}\n`);
    await ok(['tag', image, pushed], 'local');
    assert.deepEqual(await names(), [[image, app.digest], [pushed, app.digest]]);
    assert.match((await ok(['images'], 'local')).split('\n')[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    await ok(['push', '-q', pushed], 'local');
    assert.equal(await judge.digest('pushed/app', '2'), app.digest);
    await ok(['rmi', pushed], 'local');
    assert.deepEqual(await names(), [[image, app.digest]]);
  });

  test('images -q prints image IDs only; rmi -f removes an image by name; rmi and pull print --format templates', async () => {
    const image = `${repoOf('lib/app')}:1`;
    await ok(['pull', '-q', image], 'ids');
    const ids = (await ok(['images', '-q'], 'ids')).split('\n').filter(Boolean);
    assert.ok(ids.length === 1 && /^[0-9a-f]{12}$/.test(ids[0]!), ids.join(' '));
    assert.equal(await ok(['rmi', '-f', '--format', '{{range .Untagged}}{{.}}{{end}}', image], 'ids'), `${image}\n`);
    assert.equal(await ok(['images', '-q'], 'ids'), '');
    assert.equal(await ok(['pull', '--format', '{{.Digest}}', image], 'ids'), `${app.digest}\n`, 'pull --format through the installed binary');
  });

  test('save writes a tarball; load reads it back zstd-compressed', async () => {
    const tarball = join(T, 'saved.tar');
    await ok(['save', '-q', `${repoOf('lib/app')}:1`, '-o', tarball], 'save');
    const names = (await execFileAsync('tar', ['-tf', tarball])).stdout.split('\n');
    assert.ok(names.includes('manifest.json') && names.includes('index.json'), names.join(' '));
    const zst = join(T, 'saved.tar.zst');
    await writeFile(zst, await zstdCompress(await readFile(tarball)));
    assert.match(await ok(['load', '-i', zst], 'load'), new RegExp(`Loaded image: ${repoOf('lib/app')}:1`));
    const list = JSON.parse(await ok(['images', '--format', 'json'], 'load')) as Array<{ name: string; digest: string }>;
    assert.deepEqual(list.map((i) => [i.name, i.digest]), [[`${repoOf('lib/app')}:1`, app.digest]]);
  });

  test('mutate writes a new config; the label is there', async () => {
    const digest = (await ok(['mutate', '-q', `${repoOf('lib/app')}:1`, '-t', `${repoOf('changed/mutate')}:1`, '--label', 'team=core'])).trim();
    assert.equal(digest, await judge.digest('changed/mutate', '1'));
    const config = JSON.parse((await judge.blob('changed/mutate', (await judge.manifest('changed/mutate', '1')).config.digest)).toString());
    assert.equal(config.config.Labels.team, 'core');
    assert.equal(await judge.digest('lib/app', '1'), app.digest, 'the source is untouched');
  });

  test('append --compress zstd and append -f layer.tar.zst add zstd layers; export reads them', async () => {
    const tar = join(T, 'extra.tar');
    await writeFile(tar, await tarOf([{ name: 'opt/extra.txt', body: 'extra\n' }]));
    await ok(['append', '-q', `${repoOf('lib/app')}:1`, '-t', `${repoOf('changed/append-zstd')}:1`, '-f', tar, '--compress', 'zstd']);
    const m = await judge.manifest('changed/append-zstd', '1');
    assert.deepEqual(m.layers.map((l) => l.mediaType === ZSTD_LAYER), [false, false, true]);
    assert.deepEqual(await exported(`${repoOf('changed/append-zstd')}:1`, 'append-zstd'), ['app/run.sh', 'etc/base.txt', 'opt/extra.txt']);

    const zst = join(T, 'layer.tar.zst');
    const layerTar = await tarOf([{ name: 'opt/from-zst.txt', body: 'zst\n' }]);
    await writeFile(zst, await zstdCompress(layerTar));
    await ok(['append', '-q', `${repoOf('lib/base')}:1`, '-t', `${repoOf('changed/append-zst-file')}:1`, '-f', zst]);
    const withFile = await judge.manifest('changed/append-zst-file', '1');
    const config = JSON.parse((await judge.blob('changed/append-zst-file', withFile.config.digest)).toString());
    assert.equal(config.rootfs.diff_ids.at(-1), sha256(layerTar), 'the diff_id is the decompressed tar\'s');
    assert.deepEqual(await exported(`${repoOf('changed/append-zst-file')}:1`, 'append-zst-file'), ['etc/base.txt', 'opt/from-zst.txt']);
  });

  test('flatten --compress zstd squashes the layers into one zstd layer; export reads it', async () => {
    await ok(['flatten', '-q', `${repoOf('lib/app')}:1`, '-t', `${repoOf('changed/flat')}:1`, '--compress', 'zstd']);
    assert.deepEqual((await judge.manifest('changed/flat', '1')).layers.map((l) => l.mediaType), [ZSTD_LAYER]);
    assert.deepEqual(await exported(`${repoOf('changed/flat')}:1`, 'flat'), ['app/run.sh', 'etc/base.txt']);
  });

  test('rebase puts the image\'s own layer on a new base; export writes the result\'s files', async () => {
    assert.equal(base.layerDigests[0], app.layerDigests[0], 'the app was built on the old base');
    const newBase = await seedImage({ url: reg.url }, 'lib/newbase', '1', { mediaType: 'oci', layers: [tarLayer({ 'etc/new.txt': 'new\n' })] });
    await ok(['rebase', '-q', `${repoOf('lib/app')}:1`, '--old-base', `${repoOf('lib/base')}:1`, '--new-base', `${repoOf('lib/newbase')}:1`, '-t', `${repoOf('changed/rebased')}:1`]);
    assert.deepEqual((await judge.manifest('changed/rebased', '1')).layers.map((l) => l.digest), [...newBase.layerDigests, app.layerDigests[1]]);
    assert.deepEqual(await exported(`${repoOf('changed/rebased')}:1`, 'rebased'), ['app/run.sh', 'etc/new.txt']);
  });
});

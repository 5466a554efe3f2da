// Every command of regctl as a user installs it (test/helpers/installed.ts: npm pack, npm install -g --prefix, that
// prefix's bin/regctl), against the real registry: the launcher, its bundle and code caches, its optional
// dependencies. zstd goes through @mongodb-js/zstd on Node 20 (no zstd in node:zlib), loaded by the bundle's import().
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sha256, tarOf, zstdCompress } from './helpers/images.js';
import { installed, runInstalled } from './helpers/installed.js';
import { pkg } from './helpers/package.js';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type CliResult, type Home } from './helpers/run-cli.js';
import { startSearchFixture, type SearchFixtureHandle } from './helpers/search-fixture.js';
import { seedImage, tarLayer, type SeededImage } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const INSTALL_TIMEOUT_MS = 120_000;
const ZSTD_LAYER = 'application/vnd.oci.image.layer.v1.tar+zstd';

interface Manifest {
  mediaType: string;
  config: { digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number }>;
  manifests?: Array<{ digest: string; platform: { architecture: string } }>;
}

describe('the installed regctl: every command', () => {
  let reg: RegistryHandle;
  let secure: RegistryHandle;
  let hub: SearchFixtureHandle;
  let limits: ProxyHandle;
  let home: Home;
  let T: string;
  let base: SeededImage;
  let app: SeededImage;

  before(async () => {
    await installed();
    [reg, secure, hub] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: 'htpasswd', tls: true, users: { alice: 's3cret-pw' } }),
      startSearchFixture([{ name: 'acme/widget', description: 'widgets', star_count: 7, is_official: false, is_automated: false }]),
    ]);
    limits = await startProxy(reg.url, {
      addHeaders: (_m, url) => (url.pathname.includes('/manifests/') ? { 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '42;w=21600' } : undefined),
    });
    home = await makeHome({ registries: { 'docker.io': { search: hub.url }, [secure.host]: { ca: secure.caFile } } });
    home.env.REGCTL_STORE = join(home.dir, 'store');
    T = await mkdtemp(join(tmpdir(), 'regctl-installed-'));
    // OCI media types, so zstd layers may be added without converting the manifest
    base = await seedImage({ url: reg.url }, 'lib/base', '1', { mediaType: 'oci', layers: [tarLayer({ 'etc/base.txt': 'base\n' })] });
    app = await seedImage({ url: reg.url }, 'lib/app', '1', { mediaType: 'oci', layers: [tarLayer({ 'etc/base.txt': 'base\n' }), tarLayer({ 'app/run.sh': 'run\n' })] });
  }, { timeout: INSTALL_TIMEOUT_MS });
  after(async () => {
    await limits?.stop();
    await Promise.all([reg?.stop(), secure?.stop(), hub?.stop(), home?.cleanup()]);
    if (T) await rm(T, { recursive: true, force: true });
  });

  const cli = (...args: string[]): Promise<CliResult> => runInstalled(args, home.env);
  /** Runs the installed regctl, requires exit 0, returns stdout. */
  const ok = async (...args: string[]): Promise<string> => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    return r.stdout;
  };
  const manifestOf = async (image: string): Promise<Manifest> => JSON.parse(await ok('manifest', 'get', image)) as Manifest;
  const repoOf = (name: string) => `${reg.host}/${name}`;
  /** The lines of a command's output, sorted. */
  const lines = (text: string): string[] => text.split('\n').filter(Boolean).sort();
  /** The file names of the tar `regctl export` writes of an image. */
  const exported = async (image: string, name: string): Promise<string[]> => {
    const file = join(T, `${name}.tar`);
    await ok('export', image, '-o', file);
    return lines((await execFileAsync('tar', ['-tf', file])).stdout).filter((entry) => !entry.endsWith('/'));
  };

  test('version and --version: the package\'s version, Node, the platform', async () => {
    for (const args of [['version'], ['--version']]) {
      const lines = (await ok(...args)).trimEnd().split('\n');
      assert.equal(lines[0], `regctl version ${pkg.version}`);
      assert.match(lines[1]!, /^commit: \S+$/);
      assert.equal(lines[2], `node: ${process.version}`);
    }
  });

  test('the installed package uses the code caches it ships (each accepted by the launcher and by V8)', async () => {
    const { packageDir } = await installed();
    const caches = (await readdir(join(packageDir, 'dist', 'bundle'))).filter((f) => f.endsWith('.v8cache')).map((f) => f.replace(/\.v8cache$/, ''));
    assert.ok(['regctl.cjs', 'shared.cjs', 'lib.cjs', 'undici.cjs'].every((f) => caches.includes(f)), `shipped caches: ${caches.join(', ')}`);
    const r = await runInstalled(['digest', `${repoOf('lib/app')}:1`], { ...home.env, REGCTL_DEBUG_CODE_CACHE: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${app.digest}\n`);
    const verdicts = new Map([...r.stderr.matchAll(/^regctl code cache: (\S+): (.+)$/gm)].map((m) => [m[1]!, m[2]!]));
    for (const f of ['regctl.cjs', 'shared.cjs', 'lib.cjs', 'undici.cjs']) assert.equal(verdicts.get(f), 'accepted', `${f} in\n${r.stderr}`);
    for (const [f, verdict] of verdicts) assert.ok(verdict === 'accepted' || (verdict === 'missing' && !caches.includes(f)), `${f}: ${verdict}`);
  });

  test('login checks and stores credentials on a TLS registry with htpasswd; logout removes them', async () => {
    const image = `${secure.host}/alice/app`;
    await seedImage({ url: secure.url, ca: secure.caFile!, authHeader: `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}` }, 'alice/app', '1');
    const own = await makeHome({ registries: { [secure.host]: { ca: secure.caFile } } });
    try {
      const run = (args: string[], stdin = '') => runInstalled(args, own.env, stdin);
      assert.equal((await run(['tags', image])).code, 4, 'anonymous: refused');
      const wrong = await run(['login', secure.host, '-u', 'alice', '--password-stdin'], 'nope\n');
      assert.equal(wrong.code, 4, wrong.stderr);
      const r = await run(['login', secure.host, '-u', 'alice', '--password-stdin'], 's3cret-pw\n');
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Login Succeeded\n');
      assert.equal(Buffer.from(JSON.parse(await readFile(own.dockerConfig, 'utf8')).auths[secure.host].auth, 'base64').toString(), 'alice:s3cret-pw');
      assert.equal((await run(['tags', image])).stdout, '1\n');
      const out = await run(['logout', secure.host]);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /Removing login credentials for 127\.0\.0\.1:\d+/);
      assert.equal((await run(['tags', image])).code, 4, 'logged out');
    } finally {
      await own.cleanup();
    }
  });

  test('search asks the configured search endpoint and prints its table', async () => {
    const lines = (await ok('search', 'widget')).trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
    assert.match(lines[1]!, /^acme\/widget\s+widgets\s+7\s*$/);
    assert.equal(hub.requests.at(-1)!.get('q'), 'widget');
  });

  test('inspect, digest and config read what the registry holds', async () => {
    const image = `${repoOf('lib/app')}:1`;
    assert.equal(await ok('digest', image), `${app.digest}\n`);
    const doc = JSON.parse(await ok('inspect', '--format', 'json', image));
    assert.equal(doc.digest, app.digest);
    assert.deepEqual(doc.image.layers.map((l: { digest: string }) => l.digest), app.layerDigests);
    assert.match(await ok('inspect', image), new RegExp(`^Digest: +${app.digest}$`, 'm'));
    assert.deepEqual((await cli('config', image)).stdoutBytes, app.config);
  });

  test('tags, tag ls and catalog list the registry', async () => {
    await seedImage({ url: reg.url }, 'list/app', 'b');
    await seedImage({ url: reg.url }, 'list/app', 'a');
    assert.deepEqual(lines(await ok('tags', repoOf('list/app'))), ['a', 'b']);
    assert.deepEqual(lines(await ok('tag', 'ls', repoOf('list/app'))), ['a', 'b']);
    const repos = (await ok('catalog', reg.host)).split('\n');
    for (const repo of ['lib/app', 'lib/base', 'list/app']) assert.ok(repos.includes(repo), `${repo} in ${repos.join(' ')}`);
  });

  test('manifest get, head, put and delete', async () => {
    const image = await seedImage({ url: reg.url }, 'verbs/m', '1');
    const ref = repoOf('verbs/m');
    assert.deepEqual((await cli('manifest', 'get', `${ref}:1`)).stdoutBytes, image.manifest);
    assert.match(await ok('manifest', 'head', `${ref}:1`), new RegExp(`^Digest: +${image.digest}$`, 'm'));
    const put = await runInstalled(['manifest', 'put', `${ref}:copy`], home.env, image.manifest.toString('utf8'));
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout, `${image.digest}\n`);
    assert.equal(await ok('digest', `${ref}:copy`), `${image.digest}\n`);
    assert.equal(await ok('manifest', 'delete', `${ref}@${image.digest}`), `Untagged: ${ref}:1\nUntagged: ${ref}:copy\nDeleted: ${image.digest}\n`);
    assert.equal((await cli('manifest', 'head', `${ref}:1`)).code, 3);
  });

  test('blob put, head, get and delete', async () => {
    const data = 'a blob through the installed regctl\n';
    const ref = repoOf('verbs/blob');
    const put = await runInstalled(['blob', 'put', ref], home.env, data);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout, `${sha256(data)}\n`);
    assert.equal(JSON.parse(await ok('blob', 'head', '--format', 'json', `${ref}@${sha256(data)}`)).size, data.length);
    const file = join(T, 'blob.out');
    await ok('blob', 'get', '-o', file, ref, sha256(data));
    assert.equal(await readFile(file, 'utf8'), data);
    assert.equal(await ok('blob', 'delete', `${ref}@${sha256(data)}`), `Deleted: ${sha256(data)}\n`);
    assert.equal((await cli('blob', 'head', ref, sha256(data))).code, 3);
  });

  test('index create, add and remove', async () => {
    const amd = await seedImage({ url: reg.url }, 'idx/amd', '1', { platform: { os: 'linux', architecture: 'amd64' } });
    const arm = await seedImage({ url: reg.url }, 'idx/arm', '1', { platform: { os: 'linux', architecture: 'arm64' } });
    const index = `${repoOf('idx/app')}:1`;
    const made = (await ok('index', 'create', '-q', index, `${repoOf('idx/amd')}:1`)).trim();
    assert.equal(`${made}\n`, await ok('digest', index));
    assert.deepEqual((await manifestOf(index)).manifests!.map((m) => m.digest), [amd.digest]);
    await ok('index', 'add', '-q', index, `${repoOf('idx/arm')}:1`);
    assert.deepEqual((await manifestOf(index)).manifests!.map((m) => m.digest), [amd.digest, arm.digest]);
    const removed = (await ok('index', 'remove', '--platform', 'linux/amd64', index)).trim();
    assert.equal(`${removed}\n`, await ok('digest', index));
    assert.deepEqual((await manifestOf(index)).manifests!.map((m) => m.digest), [arm.digest]);
  });

  test('copy between registries and into an OCI layout keeps the digest', async () => {
    await ok('copy', '-q', `${repoOf('lib/app')}:1`, `${repoOf('copied/app')}:1`);
    assert.equal(await ok('digest', `${repoOf('copied/app')}:1`), `${app.digest}\n`);
    const layout = join(T, 'layout');
    await ok('copy', '-q', `${repoOf('lib/app')}:1`, `oci:${layout}:v1`);
    assert.equal(await ok('digest', `oci:${layout}:v1`), `${app.digest}\n`);
    const { stdout } = await execFileAsync('skopeo', ['inspect', '--raw', `oci:${layout}:v1`]);
    assert.equal(sha256(stdout), app.digest, 'skopeo reads the layout');
  });

  test('sync mirrors every tag of a repository', async () => {
    await seedImage({ url: reg.url }, 'sync/src', 'x');
    await seedImage({ url: reg.url }, 'sync/src', 'y');
    await ok('sync', '-q', repoOf('sync/src'), repoOf('sync/dst'));
    assert.deepEqual(lines(await ok('tags', repoOf('sync/dst'))), ['x', 'y']);
    for (const tag of ['x', 'y']) assert.equal(await ok('digest', `${repoOf('sync/dst')}:${tag}`), await ok('digest', `${repoOf('sync/src')}:${tag}`));
  });

  test('attach pushes a file as an artifact; referrers lists it', async () => {
    const image = await seedImage({ url: reg.url }, 'ref/app', '1', { mediaType: 'oci' });
    const sbom = join(T, 'sbom.json');
    await writeFile(sbom, '{"spdxVersion":"SPDX-2.3"}');
    const attached = (await ok('attach', `${repoOf('ref/app')}:1`, '--artifact-type', 'application/spdx+json', sbom)).trim();
    assert.match(attached, /^sha256:[0-9a-f]{64}$/);
    const tree = JSON.parse(await ok('referrers', '--format', 'json', `${repoOf('ref/app')}:1`));
    assert.equal(tree.subject.digest, image.digest);
    assert.deepEqual(tree.referrers.map((r: { digest: string; artifactType: string }) => [r.digest, r.artifactType]), [[attached, 'application/spdx+json']]);
  });

  test('pull, tag, images, push and rmi through the local store', async () => {
    const store = { ...home.env, REGCTL_STORE: join(home.dir, 'store-local') };
    const run = async (...args: string[]) => {
      const r = await runInstalled(args, store);
      assert.equal(r.code, 0, `regctl ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const image = `${repoOf('lib/app')}:1`;
    assert.equal(await run('pull', image), `Digest: ${app.digest}\nStatus: Downloaded newer image for ${image}\n${image}\n`);
    await run('tag', image, `${repoOf('pushed/app')}:2`);
    const list = JSON.parse(await run('images', '--format', 'json')) as Array<{ name: string; digest: string }>;
    assert.deepEqual(list.map((i) => [i.name, i.digest]).sort(), [[image, app.digest], [`${repoOf('pushed/app')}:2`, app.digest]]);
    assert.match((await run('images')).split('\n')[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    await run('push', '-q', `${repoOf('pushed/app')}:2`);
    assert.equal(await ok('digest', `${repoOf('pushed/app')}:2`), `${app.digest}\n`);
    await run('rmi', `${repoOf('pushed/app')}:2`);
    assert.deepEqual((JSON.parse(await run('images', '--format', 'json')) as Array<{ name: string }>).map((i) => i.name), [image]);
  });

  test('save writes a tarball; load reads it back zstd-compressed', async () => {
    const tarball = join(T, 'saved.tar');
    await ok('save', '-q', `${repoOf('lib/app')}:1`, '-o', tarball);
    const names = (await execFileAsync('tar', ['-tf', tarball])).stdout.split('\n');
    assert.ok(names.includes('manifest.json') && names.includes('index.json'), names.join(' '));
    const zst = join(T, 'saved.tar.zst');
    await writeFile(zst, await zstdCompress(await readFile(tarball)));
    const fresh = { ...home.env, REGCTL_STORE: join(home.dir, 'store-load') };
    const loaded = await runInstalled(['load', '-i', zst], fresh);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(loaded.stdout, new RegExp(`Loaded image: ${repoOf('lib/app')}:1`));
    const list = JSON.parse((await runInstalled(['images', '--format', 'json'], fresh)).stdout) as Array<{ name: string; digest: string }>;
    assert.deepEqual(list.map((i) => [i.name, i.digest]), [[`${repoOf('lib/app')}:1`, app.digest]]);
  });

  test('delete removes one tag and leaves its sibling; tag rm removes tags', async () => {
    const image = await seedImage({ url: reg.url }, 'del/app', 'a');
    await ok('copy', '-q', `${repoOf('del/app')}:a`, `${repoOf('del/app')}:b`);
    await ok('copy', '-q', `${repoOf('del/app')}:a`, `${repoOf('del/app')}:c`);
    await ok('delete', `${repoOf('del/app')}:a`);
    assert.deepEqual(lines(await ok('tags', repoOf('del/app'))), ['b', 'c']);
    assert.equal(await ok('tag', 'rm', `${repoOf('del/app')}:b`), `Untagged: ${repoOf('del/app')}:b\n`);
    assert.equal(await ok('tags', repoOf('del/app')), 'c\n');
    assert.equal(await ok('digest', `${repoOf('del/app')}:c`), `${image.digest}\n`);
  });

  test('ratelimit prints the registry\'s rate-limit headers', async () => {
    assert.equal(await ok('ratelimit', `${limits.host}/lib/app:1`), 'ratelimit-limit: 100;w=21600\nratelimit-remaining: 42;w=21600\n');
  });

  test('mutate writes a new config; the label is there', async () => {
    const out = `${repoOf('changed/mutate')}:1`;
    const digest = (await ok('mutate', '-q', `${repoOf('lib/app')}:1`, '-t', out, '--label', 'team=core')).trim();
    assert.equal(`${digest}\n`, await ok('digest', out));
    assert.equal(JSON.parse(await ok('config', out)).config.Labels.team, 'core');
    assert.equal(await ok('digest', `${repoOf('lib/app')}:1`), `${app.digest}\n`, 'the source is untouched');
  });

  test('append --compress zstd and append -f layer.tar.zst add zstd layers; export reads them', async () => {
    const tar = join(T, 'extra.tar');
    await writeFile(tar, await tarOf([{ name: 'opt/extra.txt', body: 'extra\n' }]));
    const zstd = `${repoOf('changed/append-zstd')}:1`;
    await ok('append', '-q', `${repoOf('lib/app')}:1`, '-t', zstd, '-f', tar, '--compress', 'zstd');
    const m = await manifestOf(zstd);
    assert.deepEqual(m.layers.map((l) => l.mediaType.endsWith('+zstd')), [false, false, true]);
    assert.deepEqual(await exported(zstd, 'append-zstd'), ['app/run.sh', 'etc/base.txt', 'opt/extra.txt']);

    const zst = join(T, 'layer.tar.zst');
    const layerTar = await tarOf([{ name: 'opt/from-zst.txt', body: 'zst\n' }]);
    await writeFile(zst, await zstdCompress(layerTar));
    const fromFile = `${repoOf('changed/append-zst-file')}:1`;
    await ok('append', '-q', `${repoOf('lib/base')}:1`, '-t', fromFile, '-f', zst);
    const config = JSON.parse(await ok('config', fromFile));
    assert.equal(config.rootfs.diff_ids.at(-1), sha256(layerTar), 'the diff_id is the decompressed tar\'s');
    assert.deepEqual(await exported(fromFile, 'append-zst-file'), ['etc/base.txt', 'opt/from-zst.txt']);
  });

  test('flatten --compress zstd squashes the layers into one zstd layer; export reads it', async () => {
    const out = `${repoOf('changed/flat')}:1`;
    await ok('flatten', '-q', `${repoOf('lib/app')}:1`, '-t', out, '--compress', 'zstd');
    assert.deepEqual((await manifestOf(out)).layers.map((l) => l.mediaType), [ZSTD_LAYER]);
    assert.deepEqual(await exported(out, 'flat'), ['app/run.sh', 'etc/base.txt']);
  });

  test('rebase puts the image\'s own layer on a new base', async () => {
    const newBase = await seedImage({ url: reg.url }, 'lib/newbase', '1', { mediaType: 'oci', layers: [tarLayer({ 'etc/new.txt': 'new\n' })] });
    const out = `${repoOf('changed/rebased')}:1`;
    await ok('rebase', '-q', `${repoOf('lib/app')}:1`, '--old-base', `${repoOf('lib/base')}:1`, '--new-base', `${repoOf('lib/newbase')}:1`, '-t', out);
    assert.deepEqual((await manifestOf(out)).layers.map((l) => l.digest), [...newBase.layerDigests, app.layerDigests[1]]);
    assert.deepEqual(await exported(out, 'rebased'), ['app/run.sh', 'etc/new.txt']);
    assert.equal(base.layerDigests[0], app.layerDigests[0], 'the app was built on the old base');
  });

  test('size counts manifest, config and layers', async () => {
    const doc = JSON.parse(app.manifest.toString()) as Manifest;
    const report = JSON.parse(await ok('size', '--format', 'json', `${repoOf('lib/app')}:1`));
    assert.equal(report.images[0].bytes, app.size + doc.config.size + doc.layers.reduce((n, l) => n + l.size, 0));
  });

  test('prune --keep 1 --yes deletes all but the newest tag', async () => {
    for (const [tag, created] of [['old', '2020-01-01T00:00:00Z'], ['mid', '2022-01-01T00:00:00Z'], ['new', '2024-01-01T00:00:00Z']] as const) {
      await seedImage({ url: reg.url }, 'prune/app', tag, { created });
    }
    const plan = await ok('prune', repoOf('prune/app'), '--keep', '1');
    assert.deepEqual(lines(await ok('tags', repoOf('prune/app'))), ['mid', 'new', 'old'], `the plan deletes nothing:\n${plan}`);
    await ok('prune', '-q', repoOf('prune/app'), '--keep', '1', '--yes');
    assert.equal(await ok('tags', repoOf('prune/app')), 'new\n');
  });

  test('completion prints a bash script that registers _regctl', async () => {
    const script = join(T, 'regctl.bash');
    await writeFile(script, await ok('completion', 'bash'));
    const { stdout } = await execFileAsync('bash', ['--norc', '--noprofile', '-c', 'source "$1" && complete -p regctl', 'bash', script]);
    assert.equal(stdout.trim(), 'complete -F _regctl regctl');
  });
});

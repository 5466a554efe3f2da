// Every command of regctl as a user installs it (test/helpers/installed.ts: npm pack, npm install -g --prefix, that
// prefix's bin/regctl), against the real registry: the launcher, its bundle and code caches, its optional
// dependencies. This file: the registry commands and the CLI's own; installed-images.test.ts: the local store,
// archives and image changes (zstd among them). What a command wrote is read back over HTTP (helpers/served.ts).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { sha256 } from './helpers/images.js';
import { installed, runInstalled } from './helpers/installed.js';
import { pkg, REPO } from './helpers/package.js';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type CliResult, type Home } from './helpers/run-cli.js';
import { startSearchFixture, type SearchFixtureHandle } from './helpers/search-fixture.js';
import { seedImage, type SeededImage } from './helpers/seed.js';
import { served, type Served } from './helpers/served.js';

const execFileAsync = promisify(execFile);
const INSTALL_TIMEOUT_MS = 120_000;

describe('the installed regctl: registry commands', () => {
  let reg: RegistryHandle;
  let secure: RegistryHandle;
  let hub: SearchFixtureHandle;
  let limits: ProxyHandle;
  let home: Home;
  let T: string;
  let app: SeededImage;
  let judge: Served;

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
    judge = served(reg);
    home = await makeHome({ registries: { 'docker.io': { search: hub.url }, [secure.host]: { ca: secure.caFile } } });
    T = await mkdtemp(join(tmpdir(), 'regctl-installed-'));
    app = await seedImage({ url: reg.url }, 'lib/app', '1', { mediaType: 'oci' });
  }, { timeout: INSTALL_TIMEOUT_MS });
  after(async () => {
    await limits?.stop();
    await Promise.all([reg?.stop(), secure?.stop(), hub?.stop(), home?.cleanup()]);
    if (T) await rm(T, { recursive: true, force: true });
  });

  const cli = (args: string[], stdin = ''): Promise<CliResult> => runInstalled(args, home.env, stdin);
  /** Runs the installed regctl, requires exit 0, returns stdout. */
  const ok = async (...args: string[]): Promise<string> => {
    const r = await cli(args);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    return r.stdout;
  };
  const repoOf = (name: string) => `${reg.host}/${name}`;
  const lines = (text: string): string[] => text.split('\n').filter(Boolean).sort();

  test('version and --version: the package\'s version, Node, the platform; version --format', async () => {
    for (const args of [['version'], ['--version']]) {
      const out = (await ok(...args)).trimEnd().split('\n');
      assert.equal(out[0], `regctl version ${pkg.version}`);
      assert.match(out[1]!, /^commit: \S+$/);
      assert.deepEqual(out.slice(2), [`node: ${process.version}`, `platform: ${process.platform}/${process.arch}`]);
    }
    assert.equal(await ok('version', '--format', '{{.Version}} {{.Platform}}'), `${pkg.version} ${process.platform}/${process.arch}\n`);
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
    // A cached script keeps the name it was cached under: the launcher names each by its place in the package.
    const failed = await runInstalled(['--debug', 'digest', `${repoOf('lib/none')}:1`], home.env);
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, /^ +at .*\(regctl\/dist\/bundle\/lib\.cjs:\d+:\d+\)$/m);
    assert.ok(!failed.stderr.includes(REPO), `no path of the build in\n${failed.stderr}`);
  });

  test('login checks and stores credentials on a TLS registry with htpasswd; logout removes them', async () => {
    const image = `${secure.host}/alice/app`;
    await seedImage({ url: secure.url, ca: secure.caFile!, authHeader: `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}` }, 'alice/app', '1');
    const own = await makeHome({ registries: { [secure.host]: { ca: secure.caFile } } });
    try {
      const run = (args: string[], stdin = '') => runInstalled(args, own.env, stdin);
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
    const out = (await ok('search', 'widget')).trimEnd().split('\n');
    assert.match(out[0]!, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
    assert.match(out[1]!, /^acme\/widget\s+widgets\s+7\s*$/);
    assert.equal(hub.requests.at(-1)!.get('q'), 'widget');
  });

  test('inspect, digest and config read what the registry holds', async () => {
    const image = `${repoOf('lib/app')}:1`;
    assert.equal(await ok('digest', image), `${app.digest}\n`);
    const doc = JSON.parse(await ok('inspect', '--format', 'json', image));
    assert.equal(doc.digest, app.digest);
    assert.deepEqual(doc.image.layers.map((l: { digest: string }) => l.digest), app.layerDigests);
    assert.deepEqual((await cli(['config', image])).stdoutBytes, app.config);
  });

  test('tags, tag ls and catalog list the registry', async () => {
    await seedImage({ url: reg.url }, 'list/app', 'b');
    await seedImage({ url: reg.url }, 'list/app', 'a');
    assert.deepEqual(lines(await ok('tags', repoOf('list/app'))), ['a', 'b']);
    assert.deepEqual(lines(await ok('tag', 'ls', repoOf('list/app'))), ['a', 'b']);
    const repos = lines(await ok('catalog', reg.host));
    for (const repo of ['lib/app', 'list/app']) assert.ok(repos.includes(repo), `${repo} in ${repos.join(' ')}`);
  });

  test('tag REG/REPO:TAG NEWTAG tags in the registry (crane tag); tags --full-ref prints whole references', async () => {
    const image = await seedImage({ url: reg.url }, 'remote/app', '1');
    await ok('tag', `${repoOf('remote/app')}:1`, 'stable');
    assert.equal(await judge.digest('remote/app', 'stable'), image.digest);
    assert.deepEqual(lines(await ok('tags', '--full-ref', repoOf('remote/app'))), [`${repoOf('remote/app')}:1`, `${repoOf('remote/app')}:stable`]);
  });

  test('copy --manifest-format docker converts; skopeo\'s copy --format docker is the same flag', async () => {
    const image = `${repoOf('lib/app')}:1`;
    const a = (await ok('copy', '-q', '--manifest-format', 'docker', image, `${repoOf('conv/a')}:1`)).trim();
    const b = (await ok('copy', '-q', '--format', 'docker', image, `${repoOf('conv/b')}:1`)).trim();
    assert.notEqual(a, app.digest, 'converted: a new manifest digest');
    assert.equal(a, b);
    assert.equal(JSON.parse(await ok('manifest', 'get', `${repoOf('conv/a')}:1`)).mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  });

  test('manifest get, head, put and delete', async () => {
    const image = await seedImage({ url: reg.url }, 'verbs/m', '1');
    const ref = repoOf('verbs/m');
    assert.deepEqual((await cli(['manifest', 'get', `${ref}:1`])).stdoutBytes, image.manifest);
    assert.match(await ok('manifest', 'head', `${ref}:1`), new RegExp(`^Digest: +${image.digest}$`, 'm'));
    const put = await cli(['manifest', 'put', `${ref}:copy`], image.manifest.toString('utf8'));
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout, `${image.digest}\n`);
    assert.equal(await judge.digest('verbs/m', 'copy'), image.digest);
    assert.equal(await ok('manifest', 'delete', `${ref}@${image.digest}`), `Untagged: ${ref}:1\nUntagged: ${ref}:copy\nDeleted: ${image.digest}\n`);
    assert.equal(await judge.digest('verbs/m', image.digest), undefined);
  });

  test('blob put, head, get and delete', async () => {
    const data = 'a blob through the installed regctl\n';
    const ref = repoOf('verbs/blob');
    const put = await cli(['blob', 'put', ref], data);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.stdout, `${sha256(data)}\n`);
    assert.equal((await judge.blob('verbs/blob', sha256(data))).toString(), data);
    assert.equal(JSON.parse(await ok('blob', 'head', '--format', 'json', `${ref}@${sha256(data)}`)).size, data.length);
    const file = join(T, 'blob.out');
    await ok('blob', 'get', '-o', file, ref, sha256(data));
    assert.equal(await readFile(file, 'utf8'), data);
    assert.equal(await ok('blob', 'delete', `${ref}@${sha256(data)}`), `Deleted: ${sha256(data)}\n`);
    assert.equal((await cli(['blob', 'head', ref, sha256(data)])).code, 3);
  });

  test('index create, add and remove', async () => {
    const amd = await seedImage({ url: reg.url }, 'idx/amd', '1', { platform: { os: 'linux', architecture: 'amd64' } });
    const arm = await seedImage({ url: reg.url }, 'idx/arm', '1', { platform: { os: 'linux', architecture: 'arm64' } });
    const entries = async () => (await judge.manifest('idx/app', '1')).manifests!.map((m) => m.digest);
    const made = await ok('index', 'create', '-q', `${repoOf('idx/app')}:1`, `${repoOf('idx/amd')}:1`);
    assert.equal(made, `${await judge.digest('idx/app', '1')}\n`);
    assert.deepEqual(await entries(), [amd.digest]);
    await ok('index', 'add', '-q', `${repoOf('idx/app')}:1`, `${repoOf('idx/arm')}:1`);
    assert.deepEqual(await entries(), [amd.digest, arm.digest]);
    const removed = await ok('index', 'remove', '--platform', 'linux/amd64', `${repoOf('idx/app')}:1`);
    assert.equal(removed, `${await judge.digest('idx/app', '1')}\n`);
    assert.deepEqual(await entries(), [arm.digest]);
  });

  test('copy between registries and into an OCI layout keeps the digest', async () => {
    await ok('copy', '-q', `${repoOf('lib/app')}:1`, `${repoOf('copied/app')}:1`);
    assert.equal(await judge.digest('copied/app', '1'), app.digest);
    const layout = join(T, 'layout');
    await ok('copy', '-q', `${repoOf('lib/app')}:1`, `oci:${layout}:v1`);
    const { stdout } = await execFileAsync('skopeo', ['inspect', '--raw', `oci:${layout}:v1`]);
    assert.equal(sha256(stdout), app.digest, 'skopeo reads the layout');
  });

  test('sync mirrors every tag of a repository', async () => {
    const x = await seedImage({ url: reg.url }, 'sync/src', 'x');
    const y = await seedImage({ url: reg.url }, 'sync/src', 'y');
    await ok('sync', '-q', repoOf('sync/src'), repoOf('sync/dst'));
    assert.deepEqual(await judge.tags('sync/dst'), ['x', 'y']);
    assert.deepEqual([await judge.digest('sync/dst', 'x'), await judge.digest('sync/dst', 'y')], [x.digest, y.digest]);
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

  test('delete removes one tag and leaves its sibling; tag rm removes tags', async () => {
    const image = await seedImage({ url: reg.url }, 'del/app', 'a');
    for (const tag of ['b', 'c']) assert.equal((await cli(['manifest', 'put', `${repoOf('del/app')}:${tag}`], image.manifest.toString('utf8'))).code, 0);
    assert.deepEqual(await judge.tags('del/app'), ['a', 'b', 'c']);
    await ok('delete', `${repoOf('del/app')}:a`);
    assert.deepEqual(await judge.tags('del/app'), ['b', 'c']);
    assert.equal(await ok('tag', 'rm', `${repoOf('del/app')}:b`), `Untagged: ${repoOf('del/app')}:b\n`);
    assert.deepEqual(await judge.tags('del/app'), ['c']);
    assert.equal(await judge.digest('del/app', 'c'), image.digest);
  });

  test('ratelimit prints the registry\'s rate-limit headers', async () => {
    assert.equal(await ok('ratelimit', `${limits.host}/lib/app:1`), 'ratelimit-limit: 100;w=21600\nratelimit-remaining: 42;w=21600\n');
  });

  test('size counts manifest, config and layers', async () => {
    const doc = await judge.manifest('lib/app', '1');
    const report = JSON.parse(await ok('size', '--format', 'json', `${repoOf('lib/app')}:1`));
    assert.equal(report.images[0].bytes, app.size + doc.config.size + doc.layers.reduce((n, l) => n + l.size, 0));
  });

  test('prune plans, then with --yes deletes all but the newest tag', async () => {
    for (const [tag, created] of [['old', '2020-01-01T00:00:00Z'], ['mid', '2022-01-01T00:00:00Z'], ['new', '2024-01-01T00:00:00Z']] as const) {
      await seedImage({ url: reg.url }, 'prune/app', tag, { created });
    }
    const plan = await ok('prune', repoOf('prune/app'), '--keep', '1');
    assert.match(plan, /^old\s.*DELETE/m);
    assert.deepEqual(await judge.tags('prune/app'), ['mid', 'new', 'old'], 'a plan deletes nothing');
    await ok('prune', '-q', repoOf('prune/app'), '--keep', '1', '--yes');
    assert.deepEqual(await judge.tags('prune/app'), ['new']);
  });

  test('completion prints a bash script that registers _regctl', async () => {
    const script = join(T, 'regctl.bash');
    await writeFile(script, await ok('completion', 'bash'));
    const { stdout } = await execFileAsync('bash', ['--norc', '--noprofile', '-c', 'source "$1" && complete -p regctl', 'bash', script]);
    assert.equal(stdout.trim(), 'complete -F _regctl regctl');
  });
});

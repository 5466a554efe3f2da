import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from './helpers/ports.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runBin, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, seedManyTags, tarLayer, type SeededImage, type SeededIndex } from './helpers/seed.js';

const execFileAsync = promisify(execFile);

describe('read-only commands against the real registry (anonymous http)', () => {
  let reg: RegistryHandle;
  let home: Home;
  let image: SeededImage;
  let index: SeededIndex;
  let many: string[];

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    image = await seedImage({ url: reg.url }, 'team/app', '1.0', {
      layers: [tarLayer({ 'hello.txt': 'hello\n' }), tarLayer({ 'etc/os-release': 'ID=test\n' })],
    });
    index = await seedIndex({ url: reg.url }, 'team/multi', 'v1', [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'arm', variant: 'v7' },
    ]);
    many = (await seedManyTags({ url: reg.url }, 'team/many', 2345)).tags;
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  test('digest prints only the digest, and skopeo agrees', async () => {
    const r = await runCli(['digest', `${reg.host}/team/app:1.0`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${image.digest}\n`);
    const { stdout } = await execFileAsync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${reg.host}/team/app:1.0`]);
    assert.equal(stdout.trim(), image.digest);
  });

  test('digest of an index, and of one platform in it', async () => {
    const top = await runCli(['digest', `${reg.host}/team/multi:v1`], home.env);
    assert.equal(top.stdout, `${index.digest}\n`);
    const arm = await runCli(['digest', '--platform', 'linux/arm64', `${reg.host}/team/multi:v1`], home.env);
    assert.equal(arm.code, 0, arm.stderr);
    assert.equal(arm.stdout.trim(), index.manifests.find((m) => m.platform.architecture === 'arm64')!.digest);
    const armv7 = await runCli(['digest', '--platform', 'linux/arm/v7', `${reg.host}/team/multi:v1`], home.env);
    assert.equal(armv7.stdout.trim(), index.manifests.find((m) => m.platform.architecture === 'arm')!.digest);
  });

  test('digest --platform that the index lacks: exit 3 and the platforms it has', async () => {
    const r = await runCli(['digest', '--platform', 'linux/s390x', `${reg.host}/team/multi:v1`], home.env);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^regctl: no manifest for platform linux\/s390x in .*team\/multi:v1$/m);
    assert.match(r.stderr, /hint: available platforms: linux\/amd64, linux\/arm64.*, linux\/arm\/v7/);
  });

  test('digest --platform on a single-platform image checks its config', async () => {
    const ok = await runCli(['digest', '--platform', 'linux/amd64', `${reg.host}/team/app:1.0`], home.env);
    assert.equal(ok.stdout, `${image.digest}\n`);
    const bad = await runCli(['digest', '--platform', 'linux/arm64', `${reg.host}/team/app:1.0`], home.env);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /single-platform image for linux\/amd64/);
  });

  test('digest by digest reference', async () => {
    const r = await runCli(['digest', `${reg.host}/team/app@${image.digest}`], home.env);
    assert.equal(r.stdout, `${image.digest}\n`);
  });

  test('inspect --raw prints the manifest bytes exactly as served', async () => {
    const r = await runCli(['inspect', '--raw', `${reg.host}/team/app:1.0`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdoutBytes, image.manifest);
    const idx = await runCli(['inspect', '--raw', `${reg.host}/team/multi:v1`], home.env);
    assert.deepEqual(idx.stdoutBytes, index.manifest);
  });

  test('inspect --config prints the config JSON', async () => {
    const r = await runCli(['inspect', '--config', `${reg.host}/team/app:1.0`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), JSON.parse(image.config.toString()));
    const idx = await runCli(['inspect', '--config', `${reg.host}/team/multi:v1`], home.env);
    assert.equal(idx.code, 2);
    assert.match(idx.stderr, /is an index; --config needs one image/);
  });

  test('inspect summary of an image: platform, created, layers, size, config fields', async () => {
    const r = await runCli(['inspect', `${reg.host}/team/app:1.0`], home.env);
    assert.equal(r.code, 0, r.stderr);
    const cfg = JSON.parse(image.config.toString());
    assert.match(r.stdout, new RegExp(`^Name: +${reg.host}/team/app:1.0$`, 'm'));
    assert.match(r.stdout, new RegExp(`^Digest: +${image.digest}$`, 'm'));
    assert.match(r.stdout, /^MediaType: +application\/vnd\.docker\.distribution\.manifest\.v2\+json$/m);
    assert.match(r.stdout, /^Platform: +linux\/amd64$/m);
    assert.match(r.stdout, new RegExp(`^Created: +${cfg.created}$`, 'm'));
    assert.match(r.stdout, /^Layers: +2$/m);
    for (const d of image.layerDigests) assert.ok(r.stdout.includes(d), d);
    assert.match(r.stdout, /^Total size: +\d/m);
    if (cfg.config.Entrypoint) assert.ok(r.stdout.includes(JSON.stringify(cfg.config.Entrypoint)));
    for (const e of cfg.config.Env ?? []) assert.ok(r.stdout.includes(e), e);
    for (const [k, v] of Object.entries(cfg.config.Labels ?? {})) assert.ok(r.stdout.includes(`${k}=${v}`));
  });

  test('inspect of an index lists its platforms; --platform descends', async () => {
    const r = await runCli(['inspect', `${reg.host}/team/multi:v1`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Platforms:$/m);
    for (const m of index.manifests) assert.ok(r.stdout.includes(m.digest));
    assert.match(r.stdout, /linux\/arm\/v7/);
    const one = await runCli(['inspect', '--format', 'json', '--platform', 'linux/arm64', `${reg.host}/team/multi:v1`], home.env);
    const doc = JSON.parse(one.stdout);
    assert.equal(doc.digest, index.manifests.find((m) => m.platform.architecture === 'arm64')!.digest);
    assert.equal(doc.image.platform.architecture, 'arm64');
  });

  test('inspect --format json has name, digest, mediaType and the layers', async () => {
    const r = await runCli(['inspect', '--format', 'json', `${reg.host}/team/app:1.0`], home.env);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.name, `${reg.host}/team/app:1.0`);
    assert.equal(doc.digest, image.digest);
    assert.equal(doc.mediaType, image.mediaType);
    assert.deepEqual(doc.image.layers.map((l: { digest: string }) => l.digest), image.layerDigests);
  });

  test('catalog follows Link pages: every repository, once (the registry pages _catalog by n)', async () => {
    for (let i = 0; i < 23; i++) await seedImage({ url: reg.url }, `paged/repo-${String(i).padStart(2, '0')}`, '1');
    // The proxy lowers regctl's page size so the real registry answers in pages of 5 with Link headers.
    const proxy = await startProxy(reg.url, {
      rewrite: (u) => {
        if (u.searchParams.has('n')) u.searchParams.set('n', '5');
        return u;
      },
    });
    try {
      const r = await runCli(['catalog', proxy.host], home.env);
      assert.equal(r.code, 0, r.stderr);
      const got = r.stdout.trim().split('\n');
      const want = [...Array.from({ length: 23 }, (_, i) => `paged/repo-${String(i).padStart(2, '0')}`), 'team/app', 'team/many', 'team/multi'];
      assert.deepEqual(got, want.sort());
      const pages = proxy.requests.filter((q) => q.startsWith('GET /v2/_catalog'));
      assert.equal(pages.length, Math.ceil(want.length / 5));
      assert.match(pages[1]!, /last=/);
    } finally {
      await proxy.stop();
    }
  });

  test('tags lists every tag once (2.8.2 answers tags/list in one page)', async () => {
    const r = await runCli(['tags', `${reg.host}/team/many`], home.env);
    assert.equal(r.code, 0, r.stderr);
    const got = r.stdout.trim().split('\n');
    assert.equal(got.length, many.length);
    assert.deepEqual([...got].sort(), [...many].sort());
    const json = await runCli(['tags', '--format', 'json', `${reg.host}/team/app`], home.env);
    assert.deepEqual(JSON.parse(json.stdout), ['1.0']);
  });

  test('tags --exclude compiles with RE2: a hostile pattern over a 41-character tag answers in under a second', async () => {
    const hostile = `${'1'.repeat(40)}x`;
    await seedImage({ url: reg.url }, 'regex/hostile', hostile);
    await seedImage({ url: reg.url }, 'regex/hostile', '1.2.3');
    const start = performance.now();
    const r = await runCli(['tags', '--exclude', '^(\\d+\\.?)+$', `${reg.host}/regex/hostile`], home.env);
    const ms = performance.now() - start;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${hostile}\n`, '1.2.3 excluded, the hostile tag kept');
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
    const look = await runCli(['tags', '--exclude', '^(?=1)', `${reg.host}/regex/hostile`], home.env);
    assert.equal(look.code, 2, 'RE2 has no lookahead: a usage error');
    assert.match(look.stderr, /invalid regular expression "\^\(\?=1\)"/);
  });

  test('tags --full-ref and tag ls --full-ref print REPOSITORY:TAG, the repository as the registry names it', async () => {
    const one = await runCli(['tags', '--full-ref', `${reg.host}/team/app`], home.env);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, `${reg.host}/team/app:1.0\n`);
    const json = await runCli(['tag', 'ls', '--full-ref', '--format', 'json', `${reg.host}/team/multi`], home.env);
    assert.deepEqual(JSON.parse(json.stdout), [`${reg.host}/team/multi:v1`]);
    const both = await runCli(['tag', 'ls', '--full-ref', `${reg.host}/team/multi`, `${reg.host}/team/app`], home.env);
    assert.equal(both.stdout, `${reg.host}/team/multi:v1\n${reg.host}/team/app:1.0\n`, 'several repositories: one reference a line, in input order');
    const plain = await runCli(['tag', 'ls', `${reg.host}/team/multi`, `${reg.host}/team/app`], home.env);
    assert.equal(plain.stdout, `${reg.host}/team/multi v1\n${reg.host}/team/app 1.0\n`, 'without it: REPOSITORY TAG');
  });

  test('catalog --format json, or a template over Registry and Repositories', async () => {
    const r = await runCli(['catalog', '--format', 'json', reg.host], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).filter((n: string) => n.startsWith('team/')).sort(), ['team/app', 'team/many', 'team/multi']);
    const t = await runCli(['catalog', '--format', '{{.Registry}} {{len .Repositories}}', reg.host], home.env);
    assert.equal(t.stdout, `${reg.host} ${JSON.parse(r.stdout).length}\n`);
    assert.equal((await runCli(['catalog', '--format', 'jsn', reg.host], home.env)).code, 2, 'neither a format nor a template');
  });

  test('unknown tag: exit 3, manifest unknown', async () => {
    const r = await runCli(['inspect', `${reg.host}/team/app:nope`], home.env);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^regctl: fetching manifest for 127\.0\.0\.1:\d+\/team\/app:nope: manifest unknown/m);
    const d = await runCli(['digest', `${reg.host}/team/app:nope`], home.env);
    assert.equal(d.code, 3);
    assert.equal(d.stdout, '');
  });

  test('unknown repository: exit 3 for tags', async () => {
    const r = await runCli(['tags', `${reg.host}/no/such`], home.env);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /regctl: listing tags of .*no\/such: (name unknown|repository name not known)/);
  });

  test('bad names: exit 2 and the problem named', async () => {
    for (const [args, re] of [
      [['inspect', 'Foo/Bar'], /must be lowercase/],
      [['digest', `${reg.host}/app:bad^tag`], /invalid reference/],
      [['digest', 'alpine@sha256:abc'], /digest/],
      [['inspect', ''], /empty/],
      [['tags', 'alpine:3'], /must not have a tag or digest/],
      [['catalog', 'http://x/y'], /invalid registry/],
    ] as const) {
      const r = await runCli([...args], home.env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.equal(r.stdout, '');
    }
  });

  test('connection refused: exit 5 with a clear message', async () => {
    const port = await freePort();
    const r = await runCli(['digest', `127.0.0.1:${port}/x:1`], home.env);
    assert.equal(r.code, 5);
    assert.match(r.stderr, new RegExp(`^regctl: connection refused: https?://127\\.0\\.0\\.1:${port}$`, 'm'));
  });

  test('usage errors exit 2; help exits 0', async () => {
    const missing = await runCli(['digest'], home.env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /regctl: no images given/);
    const unknown = await runCli(['frobnicate'], home.env);
    assert.equal(unknown.code, 2);
    const help = await runCli(['--help'], home.env);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: regctl/);
    const badFormat = await runCli(['tags', '--format', 'xml', `${reg.host}/team/app`], home.env);
    assert.equal(badFormat.code, 2);
  });

  test('the built binary: exit codes and no stack trace without --debug', async () => {
    const notFound = await runBin(['digest', `${reg.host}/team/app:nope`], home.env);
    assert.equal(notFound.code, 3);
    assert.doesNotMatch(notFound.stderr, /\n\s+at /);
    const ok = await runBin(['digest', `${reg.host}/team/app:1.0`], home.env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `${image.digest}\n`);
    const debug = await runBin(['--debug', 'digest', `${reg.host}/team/app:nope`], home.env);
    assert.match(debug.stderr, /debug: HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/team\/app\/manifests\/nope -> 404/);
    assert.match(debug.stderr, /\n\s+at /);
  });
});

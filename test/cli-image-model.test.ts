import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedIndex, seedManyTags } from './helpers/seed.js';

// Issue 14 §1: defects that came from tag/digest rules spread over the code, each checked against the real registry.
describe('one model of an image reference: naming, counting, mirrors, digest algorithms, ports', () => {
  let a: RegistryHandle;
  let b: RegistryHandle;
  let home: Home;
  let same: { digest: string; tags: string[] };
  const cli = (...args: string[]) => runCli(args, home.env);

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    home = await makeHome();
    home.env.REGCTL_STORE = join(home.dir, 'store');
    same = await seedManyTags({ url: a.url }, 'same/app', 5);
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await home.cleanup();
  });

  test('save --platform A,B writes a new index with exactly those entries (said once); load, then push works', async () => {
    const idx = await seedIndex({ url: a.url }, 'multi/app', '1', [
      { os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 's390x' },
    ]);
    const file = join(home.dir, 'two.tar');
    const saved = await cli('save', '-o', file, '--platform', 'linux/amd64,linux/arm64', `${a.host}/multi/app:1`);
    assert.equal(saved.code, 0, saved.stderr);
    const said = saved.stderr.match(/saved as a new index with only linux\/amd64, linux\/arm64 \(digest (sha256:[0-9a-f]{64})/g) ?? [];
    assert.equal(said.length, 1, saved.stderr);
    const digest = /sha256:[0-9a-f]{64}/.exec(said[0]!)![0];
    assert.notEqual(digest, idx.digest);

    assert.equal((await cli('load', '-q', '-i', file)).code, 0);
    assert.equal((await cli('tag', `${a.host}/multi/app:1`, `${b.host}/multi/subset:1`)).code, 0);
    const pushed = await cli('push', '-q', `${b.host}/multi/subset:1`);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal((await cli('digest', `${b.host}/multi/subset:1`)).stdout.trim(), digest);
    const raw = JSON.parse((await cli('inspect', '--raw', `${b.host}/multi/subset:1`)).stdout) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    assert.deepEqual(raw.manifests.map((m) => m.platform.architecture), ['amd64', 'arm64']);
    assert.deepEqual(raw.manifests.map((m) => m.digest), idx.manifests.slice(0, 2).map((m) => m.digest));
  });

  test('sync and copy --all-tags into an empty destination count every tag written as copied, even tags sharing a digest', async () => {
    const first = await cli('sync', `${a.host}/same/app`, `${b.host}/counted/app`, '--format', 'json');
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as { copied: number; skipped: number };
    assert.deepEqual([report.copied, report.skipped], [5, 0]);
    for (const tag of same.tags) assert.equal((await cli('digest', `${b.host}/counted/app:${tag}`)).stdout.trim(), same.digest);
    const again = JSON.parse((await cli('sync', `${a.host}/same/app`, `${b.host}/counted/app`, '--format', 'json')).stdout) as { copied: number; skipped: number };
    assert.deepEqual([again.copied, again.skipped], [0, 5], 'skipped: the destination already had each tag at that digest');

    const all = await cli('copy', '--all-tags', `${a.host}/same/app`, `${b.host}/all/app`);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stderr, /^COPIED\s+SKIPPED\s+FAILED\s+SENT\s+TIME\n5\s+0\s+0\s+/m);
  });

  test('with a mirror configured, sync compares by HEAD through the mirror: a dry run of a synced repository plans no copy', async () => {
    const mirror: ProxyHandle = await startProxy(a.url);
    const h = await makeHome({ registries: { [a.host]: { mirrors: [mirror.url] } } });
    try {
      const synced = await runCli(['sync', `${a.host}/same/app`, `${b.host}/mirrored/app`, '--format', 'json'], h.env);
      assert.equal(synced.code, 0, synced.stderr);
      mirror.requests.length = 0;
      const dry = await runCli(['sync', '--dry-run', `${a.host}/same/app`, `${b.host}/mirrored/app`, '--format', 'json'], h.env);
      assert.equal(dry.code, 0, dry.stderr);
      const report = JSON.parse(dry.stdout) as { planned: number; skipped: number };
      assert.deepEqual([report.planned, report.skipped], [0, 5]);
      const manifestRequests = mirror.requests.filter((q) => q.includes('/manifests/'));
      assert.equal(manifestRequests.length, 5, mirror.requests.join('\n'));
      assert.ok(manifestRequests.every((q) => q.startsWith('HEAD ')), `HEADs only, at the mirror: ${manifestRequests}`);
    } finally {
      await mirror.stop();
      await h.cleanup();
    }
  });

  test('copy REPO@sha256:… oci:DIR writes no ref name (no invented `latest`); a tagged source still gets `latest`', async () => {
    const byDigest = join(home.dir, 'by-digest');
    const r = await cli('copy', '-q', `${a.host}/same/app@${same.digest}`, `oci:${byDigest}`);
    assert.equal(r.code, 0, r.stderr);
    const entries = (JSON.parse(readFileSync(join(byDigest, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: object }> }).manifests;
    assert.deepEqual(entries.map((e) => [e.digest, e.annotations]), [[same.digest, undefined]]);
    assert.equal((await cli('digest', `oci:${byDigest}`)).stdout.trim(), same.digest, 'the only image is still found');

    const tagged = join(home.dir, 'tagged');
    assert.equal((await cli('copy', '-q', `${a.host}/same/app:${same.tags[0]}`, `oci:${tagged}`)).code, 0);
    assert.equal((await cli('digest', `oci:${tagged}:latest`)).stdout.trim(), same.digest);
  });

  test('a sha384-addressed manifest is hashed with sha384 end to end; an unknown algorithm is exit 2', async () => {
    const src = join(home.dir, 'sha384');
    const put = (alg: 'sha256' | 'sha384', bytes: Buffer) => {
      const hex = createHash(alg).update(bytes).digest('hex');
      mkdirSync(join(src, 'blobs', alg), { recursive: true });
      writeFileSync(join(src, 'blobs', alg, hex), bytes);
      return `${alg}:${hex}`;
    };
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: put('sha256', config), size: config.length };
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: [] }));
    const digest = put('sha384', manifest);
    writeFileSync(join(src, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    writeFileSync(join(src, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' },
    }] }));
    const dst = join(home.dir, 'sha384-copy');
    const r = await cli('copy', '-q', `oci:${src}:v1`, `oci:${dst}:v1`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), digest);
    assert.ok(existsSync(join(dst, 'blobs', 'sha384', digest.slice('sha384:'.length))));

    const md5 = await cli('digest', `${a.host}/same/app@md5:${'0'.repeat(32)}`);
    assert.equal(md5.code, 2, md5.stderr);
    assert.match(md5.stderr, /unsupported digest algorithm "md5"/);
  });

  test('REGISTRY:75050/repo parses as distribution does; connecting refuses the port with exit 2', async () => {
    const r = await cli('digest', '192.168.1.1:75050/repo:1');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid registry host "192\.168\.1\.1:75050"/);
    assert.doesNotMatch(r.stderr, /invalid reference/);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { humanSize } from '../src/output/bytes.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, tarLayer, type SeededImage } from './helpers/seed.js';

/** What a registry stores for an image: its manifest, config and layers, from the seeded bytes themselves. */
function stored(image: SeededImage): { bytes: number; layers: Map<string, number> } {
  const doc = JSON.parse(image.manifest.toString()) as { config: { size: number }; layers: Array<{ digest: string; size: number }> };
  return { bytes: image.size + doc.config.size + doc.layers.reduce((n, l) => n + l.size, 0), layers: new Map(doc.layers.map((l) => [l.digest, l.size])) };
}

describe('regctl size (issue 16 §2) on the real registry', () => {
  let src: RegistryHandle;
  let dst: RegistryHandle;
  let home: Home;
  let a: SeededImage;
  let b: SeededImage;
  const base = tarLayer({ 'base.bin': Buffer.alloc(300_000, 7) });

  before(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    home = await makeHome();
    a = await seedImage({ url: src.url }, 'app', 'a', { layers: [base, tarLayer({ 'a.txt': 'a' })] });
    b = await seedImage({ url: src.url }, 'app', 'b', { layers: [base, tarLayer({ 'b.txt': 'bb' })] });
  });
  after(async () => {
    await Promise.all([src.stop(), dst.stop()]);
    await home.cleanup();
  });

  const json = async (...args: string[]) => {
    const r = await runCli(['size', '--format', 'json', ...args], home.env);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  test('each image\'s stored bytes, and a total that counts the shared base layer once', async () => {
    const report = await json(`${src.host}/app:a`, `${src.host}/app:b`);
    const [sa, sb] = [stored(a), stored(b)];
    assert.equal(report.images[0].bytes, sa.bytes);
    assert.equal(report.images[1].bytes, sb.bytes);
    const shared = sa.layers.get(a.layerDigests[0]!)!;
    assert.equal(report.total.bytes, sa.bytes + sb.bytes - shared);
    assert.equal(report.total.blobs, 5, 'two configs, one base layer, two own layers');
    const table = await runCli(['size', `${src.host}/app:a`, `${src.host}/app:b`], home.env);
    assert.match(table.stdout, /^TOTAL \(shared blobs once\)/m);
    const t = await runCli(['size', '--format', '{{range .Images}}{{.Bytes}} {{end}}{{.Total.Bytes}}', `${src.host}/app:a`, `${src.host}/app:b`], home.env);
    assert.equal(t.stdout, `${sa.bytes} ${sb.bytes} ${report.total.bytes}\n`, 'a template sees the json report\'s figures');
  });

  test('--to counts only what the destination lacks (a HEAD per blob): after copying a, b misses its own layer and config; sync --dry-run and copy --dry-run say the same', async () => {
    assert.equal((await runCli(['copy', '-q', `${src.host}/app:a`, `${dst.host}/app:a`], home.env)).code, 0);
    const report = await json(`${src.host}/app:b`, '--to', `${dst.host}/app:b`);
    const sb = stored(b);
    const own = sb.layers.get(b.layerDigests[1]!)!;
    assert.deepEqual(report.images[0].missing, { bytes: own + b.config.length + b.size, blobs: 2, manifests: 1 });
    const none = await json(`${src.host}/app:a`, '--to', `${dst.host}/app:a`);
    assert.deepEqual(none.total.missing, { bytes: 0, blobs: 0, manifests: 0 });
    // sync --dry-run plans b with the same figure, and a as up to date
    const dry = await runCli(['sync', '--dry-run', '--format', 'json', `${src.host}/app`, `${dst.host}/app`], home.env);
    assert.equal(dry.code, 0, dry.stderr);
    const images = JSON.parse(dry.stdout).images as Array<{ destination: string; status: string; bytes: number }>;
    assert.deepEqual(images.map((i) => [i.destination, i.status, i.bytes]).sort(), [[`${dst.host}/app:a`, 'skipped', 0], [`${dst.host}/app:b`, 'planned', report.images[0].missing.bytes]]);
    // and copy --dry-run of b says it too, writing nothing; the real copy then reports what it sent
    const plan = await runCli(['copy', '--dry-run', `${src.host}/app:b`, `${dst.host}/app:b`], home.env);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal(plan.stdout, `would copy ${src.host}/app:b -> ${dst.host}/app:b (${b.digest}): 2 blobs and 1 manifest, ${humanSize(report.images[0].missing.bytes)} to send\n`);
    assert.equal((await runCli(['digest', `${dst.host}/app:b`], home.env)).code, 3, 'nothing written');
    const copied = await runCli(['copy', `${src.host}/app:b`, `${dst.host}/app:b`], home.env);
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(copied.stderr, /^sent \S+: 2 blobs pushed, 0 mounted, 1 already there$/m);
  });

  test('an index: the host platform by default, every platform with --all-platforms, one with --platform', async () => {
    await seedIndex({ url: src.url }, 'multi', 'x', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    const one = await json(`${src.host}/multi:x`, '--platform', 'linux/arm64');
    const all = await json(`${src.host}/multi:x`, '--all-platforms');
    assert.equal(one.images[0].manifests, 1);
    assert.equal(all.images[0].manifests, 3, 'the index and both images');
    assert.ok(all.total.bytes > one.total.bytes);
    const missing = await runCli(['size', `${src.host}/multi:x`, '--platform', 'windows/amd64'], home.env);
    assert.equal(missing.code, 3);
    const both = await runCli(['size', `${src.host}/multi:x`, '--platform', 'linux/arm64', '-a'], home.env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--platform and --all-platforms/);
    const malformed = await runCli(['size', `${src.host}/multi:x`, '--platform', '../../etc'], home.env);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /^regctl: --platform/, 'the library\'s option named as the flag');
  });
});

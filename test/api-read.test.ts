// The library's read operations (src/api/read.ts) through the package's front door, against a real registry behind
// a counting proxy: what each returns, typed; and that options are checked before anything is asked of a registry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  catalog, digest, digests, inspect, inspectMany, NotFoundError, rateLimit, referrers, search, size, tags, tagsMany, UsageError,
} from '../src/index.js';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type Home } from './helpers/run-cli.js';
import { blobDescriptor, seedImage, seedIndex, seedManifest, tarLayer, type SeededImage, type SeededIndex } from './helpers/seed.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const ARM64 = { os: 'linux', architecture: 'arm64' };

describe('the read operations of the library', () => {
  let reg: RegistryHandle;
  let other: RegistryHandle;
  let proxy: ProxyHandle;
  let home: Home;
  let env: { env: Home['env']; homedir: string };
  let image: SeededImage;
  let index: SeededIndex;
  let signatureTag: string;
  let host: string;

  before(async () => {
    [reg, other] = await Promise.all([startRegistry(), startRegistry()]);
    image = await seedImage({ url: reg.url }, 'lib/app', '1', { layers: [tarLayer({ a: 'one' }), tarLayer({ b: 'two' })] });
    for (const tag of ['2', '2-rc1']) await seedManifest({ url: reg.url }, 'lib/app', tag, JSON.parse(image.manifest.toString()));
    index = await seedIndex({ url: reg.url }, 'lib/multi', 'v1', [{ os: 'linux', architecture: 'amd64' }, ARM64]);
    await seedImage({ url: reg.url }, 'lib/other', '1');
    // A cosign signature of lib/app:1 under its digest tag: a referrer found by tag.
    const payload = Buffer.from('{"critical":{}}');
    const config = Buffer.from('{}');
    signatureTag = `${image.digest.replace(':', '-')}.sig`;
    await seedManifest({ url: reg.url }, 'lib/app', signatureTag, {
      mediaType: OCI_MANIFEST, schemaVersion: 2,
      config: blobDescriptor(config, 'application/vnd.oci.image.config.v1+json'),
      layers: [blobDescriptor(payload, 'application/vnd.dev.cosign.simplesigning.v1+json')],
    } as { mediaType: string }, [config, payload]);
    proxy = await startProxy(reg.url);
    host = proxy.host;
    home = await makeHome();
    env = { env: home.env, homedir: home.dir };
  });
  after(async () => {
    await proxy.stop();
    await Promise.all([reg.stop(), other.stop()]);
    await home.cleanup();
  });

  test('inspect returns the manifest and the config parsed, their bytes beside, and the repository', async () => {
    const r = await inspect(`${host}/lib/app:1`, env);
    assert.equal(r.digest, image.digest);
    assert.ok(r.raw.equals(image.manifest) && r.configRaw?.equals(image.config));
    assert.equal(r.manifest.kind, 'image');
    assert.deepEqual(r.manifest.kind === 'image' && r.manifest.layers.map((l) => l.digest), image.layerDigests);
    assert.equal(r.config?.architecture, 'amd64');
    assert.deepEqual(r.config?.rootfs?.diff_ids, image.diffIds);
    assert.equal(r.repository, `${host}/lib/app`);
    assert.equal(r.repoTags, undefined, 'tags are listed only when asked for');
    const withTags = await inspect(`${host}/lib/app:1`, { ...env, repoTags: true });
    assert.deepEqual(withTags.repoTags?.sort(), ['1', '2', '2-rc1', signatureTag]);
  });

  test('inspect of an index: its entries; platform as a string or an object descends; platformImage reads the context\'s', async () => {
    const top = await inspect(`${host}/lib/multi:v1`, env);
    assert.equal(top.manifest.kind, 'index');
    assert.deepEqual(top.manifest.kind === 'index' && top.manifest.manifests.map((m) => m.digest), index.manifests.map((m) => m.digest));
    assert.equal(top.config, undefined);
    const arm = index.manifests[1]!.digest;
    assert.equal((await inspect(`${host}/lib/multi:v1`, { ...env, platform: 'linux/arm64' })).digest, arm);
    assert.equal((await inspect(`${host}/lib/multi:v1`, { ...env, platform: ARM64 })).config?.architecture, 'arm64');
    const seen = await inspect(`${host}/lib/multi:v1`, { ...env, runtime: { platform: 'linux', arch: 'arm64' }, platformImage: true });
    assert.equal(seen.digest, index.digest, 'the index stays the result');
    assert.equal(seen.platformImage?.digest, arm);
    assert.equal(seen.platformImage?.config?.architecture, 'arm64');
    const none = await inspect(`${host}/lib/multi:v1`, { ...env, runtime: { platform: 'linux', arch: 's390x' }, platformImage: true });
    assert.equal(none.platformImage, undefined, 'an index without the platform has no platform image');
  });

  test('inspectMany: an outcome per image in input order; a failure is its own', async () => {
    const outcomes = await inspectMany([`${host}/lib/multi:v1`, `${host}/lib/app:nope`, `${host}/lib/app:1`], env);
    assert.deepEqual(outcomes.map((o) => o.input), [`${host}/lib/multi:v1`, `${host}/lib/app:nope`, `${host}/lib/app:1`]);
    assert.ok('result' in outcomes[0]! && outcomes[0].result.digest === index.digest);
    assert.ok('error' in outcomes[1]! && outcomes[1].error instanceof NotFoundError);
    assert.ok('result' in outcomes[2]! && outcomes[2].result.config?.os === 'linux');
    assert.deepEqual(await digests([`${host}/lib/app:1`], env), [{ input: `${host}/lib/app:1`, result: image.digest }]);
  });

  test('tags: exclude as strings or RegExps, omitDigestTags, digest; tagsMany per repository', async () => {
    const repo = `${host}/lib/app`;
    assert.deepEqual((await tags(repo, env)).sort(), ['1', '2', '2-rc1', signatureTag]);
    assert.deepEqual((await tags(repo, { ...env, exclude: '-rc', omitDigestTags: true })).sort(), ['1', '2']);
    assert.deepEqual((await tags(repo, { ...env, exclude: [/^1$/, 'rc'], omitDigestTags: true })).sort(), ['2']);
    const progress: number[] = [];
    assert.deepEqual(await tags(repo, { ...env, digest: image.digest, onProgress: (done) => progress.push(done) }), ['1', '2', '2-rc1']);
    assert.equal(progress.length, 4, 'one progress call per tag checked');
    const outcomes = await tagsMany([`${host}/lib/other`, `${host}/lib/none`, repo], { ...env, omitDigestTags: true });
    assert.deepEqual(outcomes.map((o) => ('result' in o ? o.result.sort() : (o.error as Error).constructor.name)), [['1'], 'NotFoundError', ['1', '2', '2-rc1']]);
  });

  test('catalog, referrers, search (a registry\'s catalog), rateLimit, digest', async () => {
    assert.deepEqual((await catalog(host, env)).sort(), ['lib/app', 'lib/multi', 'lib/other']);
    const tree = await referrers(`${host}/lib/app:1`, env);
    assert.equal(tree.subject.digest, image.digest);
    assert.deepEqual(tree.referrers.map((r) => r.tag), [signatureTag]);
    assert.deepEqual(await referrers(`${host}/lib/app:1`, { ...env, artifactType: 'application/spdx+json' }).then((t) => t.referrers), []);
    const found = await search('app', { ...env, registry: host });
    assert.deepEqual(found.map((r) => r.name), [`${host}/lib/app`]);
    assert.deepEqual(await search('app', { ...env, registry: host, filters: { official: true } }), []);
    const limit = await rateLimit(`${host}/lib/app:1`, env);
    assert.deepEqual(limit, { name: `${host}/lib/app:1`, registry: host });
    assert.equal(await digest(`${host}/lib/multi:v1`, { ...env, platform: 'linux/arm64' }), index.manifests[1]!.digest);
  });

  test('size: an image\'s stored bytes, an index whole with platform all, and what a destination lacks', async () => {
    const one = await size([`${host}/lib/app:1`], env);
    const bytes = image.manifest.length + image.config.length;
    assert.equal(one.images[0]!.digest, image.digest);
    assert.equal(one.images[0]!.blobs, 3);
    assert.ok(one.images[0]!.bytes > bytes, 'manifest, config and layers');
    const twice = await size([`${host}/lib/app:1`, `${host}/lib/app:2`], env);
    assert.equal(twice.total.bytes, one.total.bytes, 'the same image twice counts once');
    const arm = await size([`${host}/lib/multi:v1`], { ...env, platform: 'linux/arm64' });
    const all = await size([`${host}/lib/multi:v1`], { ...env, platform: 'all' });
    assert.equal(arm.images[0]!.manifests, 1);
    assert.equal(all.images[0]!.manifests, 3, 'the index and both images');
    const lacking = await size([`${host}/lib/app:1`], { ...env, to: `${other.host}/copy/app:1` });
    assert.deepEqual(lacking.total.missing, { bytes: one.total.bytes, blobs: 3, manifests: 1 });
    await assert.rejects(size([`${host}/lib/app:1`], { ...env, platform: 'windows/amd64' }), NotFoundError);
  });

  test('every read operation refuses an unknown option, a wrong type and null, naming the option, before any request', async () => {
    const app = `${host}/lib/app:1`;
    const repo = `${host}/lib/app`;
    // Each operation with one of its own options given a value of the wrong kind (and the option the error names).
    const calls: Array<[string, (o: any) => Promise<unknown>, string, unknown, string?]> = [
      ['digest', (o) => digest(app, o), 'verify', 'yes'],
      ['digests', (o) => digests([app], o), 'platform', 42],
      ['inspect', (o) => inspect(app, o), 'platform', ['linux/arm64']],
      ['inspectMany', (o) => inspectMany([app], o), 'repoTags', 1],
      ['tags', (o) => tags(repo, o), 'exclude', 5],
      ['tagsMany', (o) => tagsMany([repo], o), 'omitDigestTags', 'true'],
      ['catalog', (o) => catalog(host, o), 'credentials', 'alice'],
      ['referrers', (o) => referrers(app, o), 'artifactType', 7],
      ['search', (o) => search('app', o), 'limit', 'ten'],
      ['rateLimit', (o) => rateLimit(app, o), 'credentials', { creds: 'alice:pw' }, 'credentials.creds'],
      ['size', (o) => size([app], o), 'platform', ['all']],
    ];
    proxy.requests.length = 0;
    for (const [name, call, option, value, named = option] of calls) {
      const refused = (want: string) => (err: unknown) => {
        assert.ok(err instanceof UsageError, `${name}: ${String(err)}`);
        assert.equal(err.option, want, `${name}: ${err.message}`);
        assert.equal(err.exitCode, 2);
        return true;
      };
      await assert.rejects(call({ ...env, bogus: true }), refused('bogus'), `${name}: an unknown option`);
      await assert.rejects(call({ ...env, [option]: value }), refused(named), `${name}: a wrong type`);
      await assert.rejects(call({ ...env, [option]: null }), refused(option), `${name}: null`);
    }
    // Checks of values the type allows: each names its option too.
    await assert.rejects(search('app', { ...env, limit: 101 }), (err) => err instanceof UsageError && err.option === 'limit' && /want 1 to 100/.test(err.message));
    await assert.rejects(tags(repo, { ...env, exclude: ['ok', '('] }), (err) => err instanceof UsageError && err.option === 'exclude' && /^option exclude: invalid regular expression/.test(err.message));
    await assert.rejects(search('app', { ...env, registry: 'not a host' }), (err) => err instanceof UsageError && err.option === 'registry');
    await assert.rejects(tagsMany([repo], { ...env, digest: 'sha256:abc' }), (err) => err instanceof UsageError && err.option === 'digest');
    await assert.rejects(inspect(app, { ...env, platform: '../../etc' }), (err) => err instanceof UsageError && err.option === 'platform');
    assert.deepEqual(proxy.requests, [], 'nothing was asked of the registry');
  });
});

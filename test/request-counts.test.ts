import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, tarLayer, type SeededImage } from './helpers/seed.js';
import { startTokenServer, type TokenServerHandle } from './helpers/token-server.js';

// Every request a command makes is a round trip a user pays on a real network: these are the requests digest and
// copy make, counted by a proxy in front of the real registry, so one more shows up as a failure here.
describe('requests per command (counted in front of the real registry)', () => {
  let src: RegistryHandle;
  let dst: RegistryHandle;
  let srcProxy: ProxyHandle;
  let dstProxy: ProxyHandle;
  let image: SeededImage;

  before(async () => {
    [src, dst] = await Promise.all([startRegistry(), startRegistry()]);
    image = await seedImage({ url: src.url }, 'app', '1', { layers: [tarLayer({ a: 'one' }), tarLayer({ b: 'two' }), tarLayer({ c: 'three' })] });
    [srcProxy, dstProxy] = await Promise.all([startProxy(src.url), startProxy(dst.url)]);
  });
  after(async () => {
    await Promise.all([srcProxy.stop(), dstProxy.stop()]);
    await Promise.all([src.stop(), dst.stop()]);
  });

  async function run(home: Home, args: string[]): Promise<{ src: string[]; dst: string[] }> {
    srcProxy.requests.length = 0;
    dstProxy.requests.length = 0;
    const r = await runCli(args, home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${image.digest}\n`);
    return { src: [...srcProxy.requests].sort(), dst: [...dstProxy.requests].sort() };
  }

  const blobs = (): string[] => [image.configDigest, ...image.layerDigests];

  test('digest: a ping and one HEAD; the next run only the HEAD', async () => {
    const home = await makeHome();
    const ref = `${srcProxy.host}/app:1`;
    assert.deepEqual((await run(home, ['digest', ref])).src, ['GET /v2/', 'HEAD /v2/app/manifests/1']);
    assert.deepEqual((await run(home, ['digest', ref])).src, ['HEAD /v2/app/manifests/1']);
    await home.cleanup();
  });

  test('inspect: the manifest and the config in turn, over one connection', async () => {
    const home = await makeHome();
    const ref = `${srcProxy.host}/app:1`;
    await runCli(['digest', ref], home.env); // the ping is remembered: only inspect's own requests are counted
    srcProxy.requests.length = 0;
    const before = srcProxy.connections;
    const r = await runCli(['inspect', ref], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(srcProxy.requests, ['GET /v2/app/manifests/1', `GET /v2/app/blobs/${image.configDigest}`]);
    assert.equal(srcProxy.connections - before, 1, 'a request sent right after a response reuses its connection');
    await home.cleanup();
  });

  test('cold copy: the manifest and each blob read once; each blob checked, uploaded in one POST + PUT', async () => {
    const home = await makeHome();
    const r = await run(home, ['copy', '-q', `${srcProxy.host}/app:1`, `${dstProxy.host}/cold:1`]);
    assert.deepEqual(r.src, ['GET /v2/', 'GET /v2/app/manifests/1', ...blobs().map((d) => `GET /v2/app/blobs/${d}`)].sort());
    const dstBlob = r.dst.filter((q) => q.includes('/blobs/'));
    assert.deepEqual(dstBlob.filter((q) => q.startsWith('HEAD')), blobs().map((d) => `HEAD /v2/cold/blobs/${d}`).sort());
    assert.equal(dstBlob.filter((q) => q.startsWith('POST /v2/cold/blobs/uploads/')).length, blobs().length);
    assert.equal(dstBlob.filter((q) => q.startsWith('PUT ')).length, blobs().length);
    assert.equal(dstBlob.length, blobs().length * 3, r.dst.join('\n'));
    assert.deepEqual(r.dst.filter((q) => !q.includes('/blobs/')), ['GET /v2/', 'HEAD /v2/cold/manifests/1', 'PUT /v2/cold/manifests/1']);
    await home.cleanup();
  });

  test('warm copy: one manifest request each side, nothing else once pings are remembered', async () => {
    const home = await makeHome();
    const args = ['copy', '-q', `${srcProxy.host}/app:1`, `${dstProxy.host}/warm:1`];
    await run(home, args);
    const r = await run(home, args);
    assert.deepEqual(r.src, ['GET /v2/app/manifests/1']);
    assert.deepEqual(r.dst, ['HEAD /v2/warm/manifests/1']);
    await home.cleanup();
  });
});

// A CI script checking many images pays Node's start-up once, and the requests only what each image needs.
describe('requests of a 20-image digest call on a token-auth registry', () => {
  const REPOS = 4;
  const TAGS = 5;
  let token: TokenServerHandle;
  let reg: RegistryHandle;
  let proxy: ProxyHandle;
  /** Interleaved across repositories (r0:1, r1:1, …, r3:5), so input order differs from any grouping. */
  const images: { ref: string; repo: string; digest: string }[] = [];

  before(async () => {
    token = await startTokenServer({ service: 'test-registry', issuer: 'test-issuer', users: {}, acl: () => ['pull'] });
    reg = await startRegistry({ auth: 'token', token });
    proxy = await startProxy(reg.url);
    const seeded = new Map<string, string>();
    for (let r = 0; r < REPOS; r++) {
      const repo = `batch/r${r}`;
      const authHeader = `Bearer ${token.issueToken('seeder', [{ type: 'repository', name: repo, actions: ['pull', 'push'] }])}`;
      for (let t = 1; t <= TAGS; t++) {
        // a layer per tag, so every tag has a digest of its own
        const image = await seedImage({ url: reg.url, authHeader }, repo, String(t), { layers: [tarLayer({ f: `${repo}:${t}` })] });
        seeded.set(`${repo}:${t}`, image.digest);
      }
    }
    for (let t = 1; t <= TAGS; t++) {
      for (let r = 0; r < REPOS; r++) images.push({ ref: `${proxy.host}/batch/r${r}:${t}`, repo: `batch/r${r}`, digest: seeded.get(`batch/r${r}:${t}`)! });
    }
  });
  after(async () => {
    await proxy.stop();
    await reg.stop();
    await token.stop();
  });

  test('one ping, one token per repository, one HEAD per image; IMAGE DIGEST lines in input order', async () => {
    const home = await makeHome();
    proxy.requests.length = 0;
    token.requests.length = 0;
    const r = await runCli(['digest', ...images.map((i) => i.ref)], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, images.map((i) => `${i.ref} ${i.digest}\n`).join(''));
    assert.deepEqual([...proxy.requests].sort(), ['GET /v2/', ...images.map((i) => `HEAD /v2/${i.repo}/manifests/${i.ref.split(':').pop()}`)].sort());
    const scopes = token.requests.map((q) => q.query.getAll('scope').join(' ')).sort();
    assert.deepEqual(scopes, Array.from({ length: REPOS }, (_, n) => `repository:batch/r${n}:pull`));
    await home.cleanup();
  });
});

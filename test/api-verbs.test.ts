// The registry verbs through the library's door (src/index.ts) against a real registry: each works with the
// caller's options as documented (platforms as strings, the parsed manifest and config beside their bytes), and each
// refuses an unknown option, a value of the wrong type and a null with a UsageError naming the option, before anything
// is written (the registry and the files are checked afterwards).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import {
  attach, blobDelete, blobGet, blobHead, blobPut, del, imageConfig, indexAdd, indexCreate, indexRemove, login, logout, manifestDelete,
  manifestGet, manifestHead, manifestHeads, manifestPut, NotFoundError, tagsForDigest, untag, UsageError,
  type ImageConfig, type ImageIndex, type ImageManifest,
} from '../src/index.js';
import { readAll, sha256 } from './helpers/bytes.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, type SeededImage, type SeededIndex } from './helpers/seed.js';

const PASSWORD = 'door-pw-5';
const AMD64 = { os: 'linux', architecture: 'amd64' };
const ARM64 = { os: 'linux', architecture: 'arm64' };

describe('the registry verbs through the door', () => {
  let reg: RegistryHandle;
  let locked: RegistryHandle;
  let home: Home;
  let tmp: string;
  let env: { env: Home['env']; homedir: string };
  let image: SeededImage;
  let index: SeededIndex;

  before(async () => {
    [reg, locked] = await Promise.all([startRegistry(), startRegistry({ auth: 'htpasswd', tls: true, users: { alice: PASSWORD } })]);
    home = await makeHome({ registries: { [locked.host]: { ca: locked.caFile } } });
    env = { env: home.env, homedir: home.dir };
    tmp = await mkdtemp(join(tmpdir(), 'regctl-api-verbs-'));
    image = await seedImage({ url: reg.url }, 'door/app', '1', { platform: AMD64 });
    index = await seedIndex({ url: reg.url }, 'door/multi', '1', [AMD64, ARM64]);
  });
  after(async () => {
    await Promise.all([reg.stop(), locked.stop()]);
    await home.cleanup();
    await rm(tmp, { recursive: true, force: true });
  });

  /** What the registry answers to a HEAD, without regctl: 200 when it holds the manifest or blob. */
  const registryHas = async (repo: string, kind: 'manifests' | 'blobs', ref: string) =>
    (await request(`${reg.url}/v2/${repo}/${kind}/${ref}`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json' } })).statusCode === 200;

  test('manifestGet returns the manifest parsed beside its exact bytes; with a platform string, that image out of an index', async () => {
    const got = await manifestGet(`${reg.host}/door/app:1`, env);
    assert.deepEqual(got.bytes, image.manifest);
    assert.equal(got.digest, sha256(got.bytes));
    const manifest: ImageManifest | ImageIndex = got.manifest;
    assert.equal(manifest.kind, 'image');
    assert.ok(manifest.kind === 'image');
    assert.equal(manifest.config.digest, image.configDigest);
    assert.deepEqual(manifest.layers.map((l) => l.digest), image.layerDigests);

    const whole = await manifestGet(`${reg.host}/door/multi:1`, env);
    assert.ok(whole.manifest.kind === 'index');
    assert.deepEqual(whole.manifest.manifests.map((m) => m.platform), [AMD64, ARM64]);
    const arm = await manifestGet(`${reg.host}/door/multi:1`, { ...env, platform: 'linux/arm64' });
    assert.equal(arm.digest, index.manifests[1]!.digest);
    assert.equal(arm.manifest.kind, 'image');
  });

  test('imageConfig returns the config parsed (ImageConfig) beside its bytes; platform as a string or an object', async () => {
    const got = await imageConfig(`${reg.host}/door/app:1`, env);
    assert.deepEqual(got.bytes, image.config);
    assert.equal(got.digest, image.configDigest);
    assert.equal(got.size, image.config.length);
    const config: ImageConfig | undefined = got.config;
    assert.equal(config?.architecture, 'amd64');
    assert.deepEqual(config?.config?.Entrypoint, ['/bin/sh', '-c']);
    assert.deepEqual(config?.rootfs?.diff_ids, image.diffIds);
    assert.equal((await imageConfig(`${reg.host}/door/multi:1`, { ...env, platform: 'linux/arm64' })).config?.architecture, 'arm64');
    assert.equal((await imageConfig(`${reg.host}/door/multi:1`, { ...env, platform: ARM64 })).config?.architecture, 'arm64');
  });

  test('manifestHead and manifestHeads (one outcome per image, a failure one of them)', async () => {
    assert.deepEqual(await manifestHead(`${reg.host}/door/app:1`, env), { mediaType: image.mediaType, digest: image.digest, size: image.size });
    const outcomes = await manifestHeads([`${reg.host}/door/app:1`, `${reg.host}/door/app:nope`], env);
    assert.deepEqual(outcomes[0], { input: `${reg.host}/door/app:1`, result: { mediaType: image.mediaType, digest: image.digest, size: image.size } });
    assert.ok('error' in outcomes[1]! && outcomes[1].error instanceof NotFoundError);
  });

  test('blobPut (a stream or a file), blobHead, blobGet and blobDelete', async () => {
    const data = randomBytes(50_000);
    const put = await blobPut(`${reg.host}/door/blobs`, { stream: Readable.from([data]) }, env);
    assert.deepEqual(put, { digest: sha256(data), size: data.length });
    const file = join(tmp, 'blob.bin');
    await writeFile(file, 'from a file\n');
    assert.equal((await blobPut(`${reg.host}/door/blobs`, { path: file }, env)).digest, sha256('from a file\n'));
    assert.equal((await blobHead(`${reg.host}/door/blobs@${put.digest}`, undefined, env)).size, data.length);
    assert.deepEqual(await readAll((await blobGet(`${reg.host}/door/blobs`, put.digest, env)).stream), data);
    assert.deepEqual(await blobDelete(`${reg.host}/door/blobs`, put.digest, env), { repository: `${reg.host}/door/blobs`, digest: put.digest });
    assert.equal(await registryHas('door/blobs', 'blobs', put.digest), false);
  });

  test('manifestPut (a Uint8Array), tagsForDigest, untag (dry run first), manifestDelete and del', async () => {
    const bytes = new Uint8Array(image.manifest);
    const pushed = await manifestPut(`${reg.host}/door/app:copy`, bytes, env);
    assert.equal(pushed.digest, image.digest);
    assert.deepEqual(await tagsForDigest(`${reg.host}/door/app`, image.digest, env), ['1', 'copy']);
    assert.deepEqual(await untag(`${reg.host}/door/app:copy`, { ...env, dryRun: true }), { name: `${reg.host}/door/app:copy`, digest: image.digest });
    assert.equal((await untag(`${reg.host}/door/app:copy`, env)).digest, image.digest);
    assert.deepEqual(await tagsForDigest(`${reg.host}/door/app`, image.digest, env), ['1']);

    const other = await seedImage({ url: reg.url }, 'door/gone', 'a', { platform: ARM64 });
    await manifestPut(`${reg.host}/door/gone:b`, other.manifest, env);
    assert.deepEqual(await manifestDelete(`${reg.host}/door/gone@${other.digest}`, env), { digest: other.digest, tags: ['a', 'b'] });
    assert.equal(await registryHas('door/gone', 'manifests', other.digest), false);

    await manifestPut(`${reg.host}/door/gone:c`, other.manifest, { ...env, force: true });
    assert.deepEqual(await del(`${reg.host}/door/gone:c`, env), { kind: 'tag', untagged: { name: `${reg.host}/door/gone:c`, digest: other.digest, method: 'placeholder' } });
  });

  test('indexCreate (platforms as strings, manifestFormat), indexAdd and indexRemove (a platform string)', async () => {
    await seedImage({ url: reg.url }, 'door/arm', '1', { platform: ARM64 });
    const made = await indexCreate(`${reg.host}/door/idx:1`, [`${reg.host}/door/multi:1`], { ...env, platform: ['linux/amd64'], manifestFormat: 'docker' });
    assert.equal(made.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
    // a manifest list holds Docker manifests: the OCI amd64 image is converted (a new manifest digest)
    assert.deepEqual(made.manifests.map((m) => m.mediaType), ['application/vnd.docker.distribution.manifest.v2+json']);
    assert.notEqual(made.manifests[0]!.digest, index.manifests[0]!.digest);
    const amd = made.manifests[0]!.digest;
    const added = await indexAdd(`${reg.host}/door/idx:1`, [`${reg.host}/door/arm:1`], { ...env, platform: 'all', tag: 'two' });
    assert.equal(added.name, `${reg.host}/door/idx:two`);
    assert.equal(added.manifests.length, 2);
    const removed = await indexRemove(`${reg.host}/door/idx:two`, { ...env, platform: 'linux/arm64' });
    assert.deepEqual(removed.manifests.map((m) => m.digest), [amd]);
    assert.equal((await manifestGet(`${reg.host}/door/idx:two`, env)).digest, removed.digest);
  });

  test('attach: the artifact refers to the image; now as milliseconds sets its created time', async () => {
    const file = join(tmp, 'sbom.json');
    await writeFile(file, '{"sbom":true}');
    const result = await attach(`${reg.host}/door/app:1`, { ...env, artifactType: 'application/spdx+json', files: [file], now: 0 });
    assert.equal(result.subject.digest, image.digest);
    const artifact = await manifestGet(`${reg.host}/door/app@${result.digest}`, env);
    assert.ok(artifact.manifest.kind === 'image');
    assert.equal(artifact.manifest.subject?.digest, image.digest);
    assert.equal(artifact.manifest.annotations?.['org.opencontainers.image.created'], '1970-01-01T00:00:00Z');
  });

  test('login checks and stores the credentials (in an authfile); logout removes them', async () => {
    const authfile = join(tmp, 'auth.json');
    await assert.rejects(login(locked.host, { ...env, username: 'alice', password: 'wrong', authfile }), (e: Error & { exitCode?: number }) => e.exitCode === 4);
    await assert.rejects(readFile(authfile), 'nothing stored when the check fails');
    const result = await login(locked.host, { ...env, username: 'alice', password: PASSWORD, authfile });
    assert.equal(result.registry, locked.host);
    assert.ok(JSON.parse(await readFile(authfile, 'utf8')).auths[locked.host]);
    assert.deepEqual(await logout(locked.host, { ...env, authfile }), { registry: locked.host, removed: true });
    assert.deepEqual(await logout(locked.host, { ...env, authfile }), { registry: locked.host, removed: false });
  });

  /** Rejects with a UsageError whose `option` is `option` (and whose message names it). */
  const refused = async (call: Promise<unknown>, option: string) => {
    await assert.rejects(call, (err) => {
      assert.ok(err instanceof UsageError, `want a UsageError, got ${String(err)}`);
      assert.equal(err.option, option, err.message);
      assert.ok(err.message.includes(option), err.message);
      return true;
    });
  };

  test('every verb refuses an unknown option, a wrong type and a null by name, and writes nothing', async () => {
    const target = await seedImage({ url: reg.url }, 'door/keep', '1', { platform: ARM64 });
    const file = join(tmp, 'refused.txt');
    const fileData = `refused ${Date.now()}\n`;
    await writeFile(file, fileData);
    // login would add alice to one file, logout remove her from the other, were the calls not refused.
    const [loginFile, logoutFile] = [join(tmp, 'refused-login.json'), join(tmp, 'refused-logout.json')];
    const stored = { [loginFile]: '{"auths":{}}', [logoutFile]: JSON.stringify({ auths: { [locked.host]: { auth: Buffer.from(`alice:${PASSWORD}`).toString('base64') } } }) };
    for (const [f, text] of Object.entries(stored)) await writeFile(f, text);
    const blob = randomBytes(1000);
    const keep = `${reg.host}/door/keep`;
    // Each verb: a call with extra options, and [unknown, wrong type, null] of its own option names.
    const cases: Array<{ name: string; call: (o: object) => Promise<unknown>; wrong: [string, unknown]; nullable: string }> = [
      { name: 'manifestGet', call: (o) => manifestGet(`${keep}:1`, { ...env, ...o }), wrong: ['platform', 'linux'], nullable: 'platform' },
      { name: 'manifestHead', call: (o) => manifestHead(`${keep}:1`, { ...env, ...o }), wrong: ['credentials', 'alice'], nullable: 'credentials' },
      { name: 'manifestHeads', call: (o) => manifestHeads([`${keep}:1`], { ...env, ...o }), wrong: ['credentials', 'alice'], nullable: 'credentials' },
      { name: 'manifestPut', call: (o) => manifestPut(`${keep}:put`, target.manifest, { ...env, ...o }), wrong: ['force', 'yes'], nullable: 'mediaType' },
      { name: 'manifestDelete', call: (o) => manifestDelete(`${keep}@${target.digest}`, { ...env, ...o }), wrong: ['jobs', 0], nullable: 'exclude' },
      { name: 'untag', call: (o) => untag(`${keep}:1`, { ...env, ...o }), wrong: ['dryRun', 'no'], nullable: 'dryRun' },
      { name: 'del', call: (o) => del(`${keep}:1`, { ...env, ...o }), wrong: ['onProgress', 1], nullable: 'omitDigestTags' },
      { name: 'tagsForDigest', call: (o) => tagsForDigest(keep, target.digest, { ...env, ...o }), wrong: ['exclude', 5], nullable: 'jobs' },
      { name: 'blobGet', call: (o) => blobGet(keep, target.configDigest, { ...env, ...o }), wrong: ['credentials', 5], nullable: 'credentials' },
      { name: 'blobHead', call: (o) => blobHead(keep, target.configDigest, { ...env, ...o }), wrong: ['credentials', []], nullable: 'credentials' },
      { name: 'blobPut', call: (o) => blobPut(keep, { stream: Readable.from([blob]) }, { ...env, ...o }), wrong: ['credentials', 'alice'], nullable: 'credentials' },
      { name: 'blobDelete', call: (o) => blobDelete(keep, target.configDigest, { ...env, ...o }), wrong: ['credentials', true], nullable: 'credentials' },
      { name: 'imageConfig', call: (o) => imageConfig(`${keep}:1`, { ...env, ...o }), wrong: ['platform', 7], nullable: 'platform' },
      { name: 'indexCreate', call: (o) => indexCreate(`${keep}:index`, [`${keep}:1`], { ...env, ...o }), wrong: ['manifestFormat', 'v2s2'], nullable: 'platform' },
      { name: 'indexAdd', call: (o) => indexAdd(`${reg.host}/door/multi:1`, [`${keep}:1`], { ...env, tag: 'added', ...o }), wrong: ['tag', 5], nullable: 'annotations' },
      { name: 'indexRemove', call: (o) => indexRemove(`${reg.host}/door/multi:1`, { ...env, platform: 'linux/arm64', tag: 'removed', ...o }), wrong: ['digests', 'sha256:x'], nullable: 'digests' },
      { name: 'attach', call: (o) => attach(`${keep}:1`, { ...env, artifactType: 'text/plain', files: [file], ...o }), wrong: ['now', 'yesterday'], nullable: 'annotations' },
      { name: 'login', call: (o) => login(locked.host, { ...env, username: 'alice', password: PASSWORD, authfile: loginFile, ...o }), wrong: ['keychain', 'yes'], nullable: 'keychain' },
      { name: 'logout', call: (o) => logout(locked.host, { ...env, authfile: logoutFile, ...o }), wrong: ['authfile', 5], nullable: 'authfile' },
    ];
    for (const c of cases) {
      await refused(c.call({ platfrom: 'linux/amd64' }), 'platfrom');
      await refused(c.call({ [c.wrong[0]]: c.wrong[1] }), c.wrong[0]);
      await refused(c.call({ [c.nullable]: null }), c.nullable);
    }
    // Nothing was written: the registry still has the image, its tag, its config; nothing new; the authfile as it was.
    assert.equal(await registryHas('door/keep', 'manifests', '1'), true);
    assert.equal(await registryHas('door/keep', 'manifests', target.digest), true);
    assert.equal(await registryHas('door/keep', 'blobs', target.configDigest), true);
    for (const tag of ['put', 'index']) assert.equal(await registryHas('door/keep', 'manifests', tag), false, tag);
    for (const tag of ['added', 'removed']) assert.equal(await registryHas('door/multi', 'manifests', tag), false, tag);
    assert.equal(await registryHas('door/keep', 'blobs', sha256(blob)), false, 'blobPut sent nothing');
    assert.equal(await registryHas('door/keep', 'blobs', sha256(fileData)), false, 'attach sent nothing');
    for (const [f, text] of Object.entries(stored)) assert.equal(await readFile(f, 'utf8'), text);
  });

  test('arguments are checked too, and a nested option is named by its path', async () => {
    await assert.rejects(manifestPut(`${reg.host}/door/app:x`, 'not bytes' as unknown as Uint8Array, env), (e) => e instanceof UsageError && /^argument bytes: want a Buffer/.test(e.message));
    await assert.rejects(manifestGet(undefined as unknown as string, env), (e) => e instanceof UsageError && /^argument image: want a string, got nothing/.test(e.message));
    await assert.rejects(indexCreate(`${reg.host}/door/x:1`, 'door/app' as unknown as string[], env), (e) => e instanceof UsageError && /^argument images/.test(e.message));
    await assert.rejects(blobPut(`${reg.host}/door/x`, { file: 'x' } as never, env), (e) => e instanceof UsageError && /^argument input/.test(e.message));
    await refused(indexCreate(`${reg.host}/door/x:1`, [`${reg.host}/door/app:1`], { ...env, platform: ['linux/amd64', 'linux'] }), 'platform[1]');
    await refused(manifestHead(`${reg.host}/door/app:1`, { ...env, credentials: { creds: { username: 'a', password: 5 } } } as never), 'credentials.creds.password');
    await refused(indexRemove(`${reg.host}/door/multi:1`, env), 'platform');
    await refused(attach(`${reg.host}/door/app:1`, { ...env, files: [] } as never), 'artifactType');
    assert.equal(await registryHas('door/x', 'manifests', '1'), false);
  });
});

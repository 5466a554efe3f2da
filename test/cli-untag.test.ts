import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createContext, UsageError } from '../src/index.js';
import { untag } from '../src/ops/untag.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedIndex, seedManyTags } from './helpers/seed.js';
import { startTagDeleteProxy } from './helpers/tag-delete-proxy.js';

const execFileAsync = promisify(execFile);
const skopeoDigest = async (ref: string) =>
  (await execFileAsync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${ref}`])).stdout.trim();

describe('deleting by tag removes only that tag (issue 14 §1)', () => {
  let reg: RegistryHandle;
  let home: Home;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  const cli = (...args: string[]) => runCli(args, home.env);
  const tagList = async (host: string, repo: string) => (await cli('tags', `${host}/${repo}`)).stdout.split('\n').filter(Boolean).sort();

  test('on distribution 2.8 (no tag DELETE) a placeholder takes the tag away; sibling tags keep the image', async () => {
    const { digest } = await seedManyTags({ url: reg.url }, 'untag/docker', 3);
    const proxy = await startProxy(reg.url);
    try {
      const r = await cli('delete', `${proxy.host}/untag/docker:tag-0001`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Untagged: ${proxy.host}/untag/docker:tag-0001\n`);
      const writes = proxy.requests.filter((q) => !q.startsWith('GET') && !q.startsWith('HEAD'));
      assert.equal(writes[0], 'DELETE /v2/untag/docker/manifests/tag-0001', 'the tag DELETE is tried first');
      assert.ok(writes.includes('PUT /v2/untag/docker/manifests/tag-0001'), `a placeholder went to the tag: ${writes.join(', ')}`);
      assert.ok(!writes.includes(`DELETE /v2/untag/docker/manifests/${digest}`), 'the image itself is never deleted');
    } finally {
      await proxy.stop();
    }
    assert.deepEqual(await tagList(reg.host, 'untag/docker'), ['tag-0002', 'tag-0003']);
    assert.equal(await skopeoDigest(`${reg.host}/untag/docker:tag-0002`), digest);
    assert.equal(await skopeoDigest(`${reg.host}/untag/docker:tag-0003`), digest);
    assert.equal((await cli('digest', `${reg.host}/untag/docker@${digest}`)).stdout, `${digest}\n`, 'the manifest is still there');
    assert.equal((await cli('inspect', `${reg.host}/untag/docker:tag-0001`)).code, 3);
  });

  test('an OCI index keeps its digest under its other tag', async () => {
    const index = await seedIndex({ url: reg.url }, 'untag/oci', 'a', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    assert.equal((await cli('copy', '-q', `${reg.host}/untag/oci:a`, `${reg.host}/untag/oci:b`)).code, 0);
    const r = await cli('delete', `${reg.host}/untag/oci:a`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await tagList(reg.host, 'untag/oci'), ['b']);
    assert.equal(await skopeoDigest(`${reg.host}/untag/oci:b`), index.digest);
    const raw = await execFileAsync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/untag/oci:b`]);
    assert.equal(raw.stdout, index.manifest.toString('utf8'));
  });

  test('where the registry deletes tags (OCI distribution 1.1), that is all it takes: no placeholder', async () => {
    const { digest } = await seedManyTags({ url: reg.url }, 'untag/oci11', 2);
    const proxy = await startTagDeleteProxy(reg);
    try {
      const r = await cli('delete', `${proxy.host}/untag/oci11:tag-0002`);
      assert.equal(r.code, 0, r.stderr);
      const writes = proxy.requests.filter((q) => !q.startsWith('GET') && !q.startsWith('HEAD'));
      assert.deepEqual(writes, ['DELETE /v2/untag/oci11/manifests/tag-0002']);
    } finally {
      await proxy.stop();
    }
    assert.deepEqual(await tagList(reg.host, 'untag/oci11'), ['tag-0001']);
    assert.equal(await skopeoDigest(`${reg.host}/untag/oci11:tag-0001`), digest);
  });

  test('a registry that refuses to delete the placeholder gets the tag back, and the command fails', async () => {
    const { digest } = await seedManyTags({ url: reg.url }, 'untag/refuse', 2);
    const proxy = await startProxy(reg.url, {
      fault: (method, url) => (method === 'DELETE' && url.pathname.includes('/manifests/sha256:')
        ? { status: 405, headers: { 'content-type': 'application/json' }, body: '{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}' }
        : undefined),
    });
    try {
      const r = await cli('delete', `${proxy.host}/untag/refuse:tag-0001`);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /does not allow deleting manifests/);
      assert.equal(proxy.faulted.length, 1, 'the placeholder delete was refused');
    } finally {
      await proxy.stop();
    }
    assert.equal(await skopeoDigest(`${reg.host}/untag/refuse:tag-0001`), digest, 'the tag points at its image again');
    assert.deepEqual(await tagList(reg.host, 'untag/refuse'), ['tag-0001', 'tag-0002']);
  });

  test('delete REPO@DIGEST deletes the manifest and names every tag that went with it', async () => {
    const { digest } = await seedManyTags({ url: reg.url }, 'untag/bydigest', 2);
    await seedManyTags({ url: reg.url }, 'untag/other', 1); // another image, its tags untouched
    const r = await cli('delete', `${reg.host}/untag/bydigest@${digest}`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Untagged: ${reg.host}/untag/bydigest:tag-0001\nUntagged: ${reg.host}/untag/bydigest:tag-0002\nDeleted: ${digest}\n`);
    assert.match(r.stderr, /2 tags pointed at sha256:[0-9a-f]{64} and went with it/);
    assert.equal((await cli('digest', `${reg.host}/untag/bydigest@${digest}`)).code, 3);
    assert.equal((await cli('delete', `${reg.host}/untag/bydigest@${digest}`)).code, 3);
  });

  test('the library: untag() of a digest is a usage error, of a missing tag not found; a dry run removes nothing', async () => {
    const { digest } = await seedManyTags({ url: reg.url }, 'untag/lib', 1);
    const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process });
    try {
      await assert.rejects(untag(ctx, `${reg.host}/untag/lib@${digest}`), UsageError);
      await assert.rejects(untag(ctx, `${reg.host}/untag/lib:nope`), (err: Error & { exitCode?: number }) => err.exitCode === 3);
      assert.deepEqual(await untag(ctx, `${reg.host}/untag/lib:tag-0001`, { dryRun: true }), { name: `${reg.host}/untag/lib:tag-0001`, digest });
      assert.equal(await skopeoDigest(`${reg.host}/untag/lib:tag-0001`), digest);
      const done = await untag(ctx, `${reg.host}/untag/lib:tag-0001`);
      assert.equal(done.method, 'placeholder');
      assert.deepEqual(await tagList(reg.host, 'untag/lib'), []);
    } finally {
      await ctx.transport.close();
    }
  });
});

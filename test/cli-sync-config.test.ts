import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, type SeedTarget } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const USER = 'john';
const PASSWORD = 'this is a secret';

/**
 * The example of skopeo-sync(1) ("YAML file content"), as written there but for the hosts, the cert-dir and the
 * redis digest (a placeholder of zeros there), which must name what the test registries hold.
 */
const docExample = (secure: string, plain: string, certDir: string, redisDigest: string) => `${secure}:
    images:
        busybox: []
        redis:
            - "1.0"
            - "2.0"
            - "${redisDigest}"
    images-by-tag-regex:
        nginx: ^1\\.13\\.[12]-alpine-perl$
    images-by-semver:
        alpine: ">= 3.12.0"
    credentials:
        username: ${USER}
        password: ${PASSWORD}
    tls-verify: true
    cert-dir: ${certDir}
${plain}:
    tls-verify: false
    images:
        coreos/etcd:
            - latest
`;

describe('sync --config reads skopeo sync\'s YAML unchanged (htpasswd over TLS with cert-dir, plain http)', () => {
  let secure: RegistryHandle;
  let plain: RegistryHandle;
  let dst: RegistryHandle;
  let home: Home;
  let config: string;
  let redisDigest: string;

  before(async () => {
    [secure, plain, dst] = await Promise.all([
      startRegistry({ auth: 'htpasswd', tls: true, users: { [USER]: PASSWORD } }),
      startRegistry(),
      startRegistry(),
    ]);
    home = await makeHome();
    const certDir = join(home.dir, 'certs');
    await mkdir(certDir);
    await copyFile(secure.caFile!, join(certDir, 'ca.crt'));
    const s: SeedTarget = { url: secure.url, ca: secure.caFile!, authHeader: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
    const seed = (target: SeedTarget, repo: string, tags: string[]) => Promise.all(tags.map((tag) => seedImage(target, repo, tag)));
    await seed(s, 'busybox', ['1.36', 'latest']);
    await seed(s, 'redis', ['1.0', '2.0', '3.0']);
    await seed(s, 'nginx', ['1.13.1-alpine-perl', '1.13.2-alpine-perl', '1.13.3-alpine-perl', '1.13.1']);
    await seed(s, 'alpine', ['3.11.0', '3.12.0', 'v3.13', 'edge']);
    redisDigest = (await seedImage(s, 'redis', 'untagged-later')).digest;
    await seed({ url: plain.url }, 'coreos/etcd', ['latest', 'v3']);
    config = join(home.dir, 'sync.yml');
    await writeFile(config, docExample(secure.host, plain.host, certDir, redisDigest));
  });
  after(async () => {
    await Promise.all([secure.stop(), plain.stop(), dst.stop()]);
    await home.cleanup();
  });

  /** Every tag of each destination repository with its digest. */
  const contents = async (prefix: string, repos: string[]) => {
    const out: Record<string, string> = {};
    for (const repo of repos) {
      const tags = await runCli(['tags', `${dst.host}/${prefix}/${repo}`], home.env);
      for (const tag of tags.stdout.trim().split('\n').filter(Boolean)) {
        out[`${repo}:${tag}`] = (await runCli(['digest', `${dst.host}/${prefix}/${repo}:${tag}`], home.env)).stdout.trim();
      }
    }
    return out;
  };

  test('regctl sync copies what skopeo sync copies, to the same names, and the semver selection', async () => {
    const r = await runCli(['sync', '--config', config, `${dst.host}/regctl`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, new RegExp(PASSWORD), 'the password never shows');
    // skopeo 1.9 ignores images-by-semver (it came in 1.13); everything else must match it name for name.
    await execFileAsync('skopeo', ['sync', '--src', 'yaml', '--dest', 'docker', '--dest-tls-verify=false', config, `${dst.host}/skopeo`]);
    const repos = ['busybox', 'redis', 'nginx', 'etcd'];
    const ours = await contents('regctl', repos);
    assert.deepEqual(ours, await contents('skopeo', repos));
    assert.deepEqual(Object.keys(ours).sort(), [
      'busybox:1.36', 'busybox:latest', 'etcd:latest', 'nginx:1.13.1-alpine-perl', 'nginx:1.13.2-alpine-perl', 'redis:1.0', 'redis:2.0',
    ]);
    const byDigest = await runCli(['digest', `${dst.host}/regctl/redis@${redisDigest}`], home.env);
    assert.equal(byDigest.stdout.trim(), redisDigest, 'the digest entry is copied by digest');
    assert.deepEqual(Object.keys(await contents('regctl', ['alpine'])).sort(), ['alpine:3.12.0', 'alpine:v3.13']);
  });

  test('sync SRC DST takes --src-creds for the source registry (and fails with exit 4 without them)', async () => {
    const denied = await runCli(['--insecure', 'sync', '-q', `${secure.host}/busybox`, `${dst.host}/creds/busybox`], home.env);
    assert.equal(denied.code, 4, denied.stderr);
    const r = await runCli(['--insecure', 'sync', `${secure.host}/busybox`, `${dst.host}/creds/busybox`, '--src-creds', `${USER}:${PASSWORD}`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, new RegExp(PASSWORD));
    assert.deepEqual((await runCli(['tags', `${dst.host}/creds/busybox`], home.env)).stdout.trim().split('\n').sort(), ['1.36', 'latest']);
  });

  test('--scoped keeps the source registry and path (a host with a port cannot be a path, as in skopeo); a wrong key is a clear error', async () => {
    // regctl's config stands `mirror.example` in for the plain registry, so the scoped name is a valid path.
    const aliased = await makeHome({ registries: { 'mirror.example': { endpoint: plain.url } } });
    try {
      const file = join(aliased.dir, 'plain.yml');
      await writeFile(file, `mirror.example:\n  tls-verify: false\n  images:\n    coreos/etcd: [v3]\n`);
      const r = await runCli(['sync', '-q', '--scoped', '--config', file, `${dst.host}/scoped`], aliased.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await runCli(['tags', `${dst.host}/scoped/mirror.example/coreos/etcd`], home.env)).stdout, 'v3\n');
      await writeFile(file, `${plain.host}:\n  images:\n    coreos/etcd: [v3]\n`);
      const port = await runCli(['sync', '--scoped', '--config', file, `${dst.host}/scoped`], aliased.env);
      assert.equal(port.code, 2);
      assert.match(port.stderr, /invalid path component "127\.0\.0\.1:\d+"/);
      await writeFile(file, `${plain.host}:\n  image:\n    coreos/etcd: []\n`);
      const bad = await runCli(['sync', '--config', file, `${dst.host}/x`], aliased.env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /unknown key "image"/);
    } finally {
      await aliased.cleanup();
    }
  });
});

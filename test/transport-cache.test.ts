import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TransportCache } from '../src/transport/cache.js';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';
import { CATALOG, startTokenServer, type TokenServerHandle } from './helpers/token-server.js';

const USERS = { alice: 'alice-pw-123', bob: 'bob-pw-456' };
const acl = (user: string | undefined, repo: string): string[] =>
  repo === CATALOG ? [] : repo.startsWith('public/') ? ['pull'] : user && repo.startsWith(`${user}/`) ? ['pull', 'push'] : [];

interface Entry { file: string; json: Record<string, unknown> }

async function entries(home: Home): Promise<Entry[]> {
  const dir = join(home.dir, '.cache', 'regctl');
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  return Promise.all(files.map(async (file) => ({ file, json: JSON.parse(await readFile(file, 'utf8')) })));
}

const tokens = async (home: Home): Promise<Entry[]> => (await entries(home)).filter((e) => typeof e.json.token === 'string');

describe('cache of pings and tokens between runs (real token-auth registry)', () => {
  let token: TokenServerHandle;
  let reg: RegistryHandle;
  let proxy: ProxyHandle;
  let pub: SeededImage;
  let alice: SeededImage;

  before(async () => {
    token = await startTokenServer({ service: 'test-registry', issuer: 'test-issuer', users: USERS, acl });
    reg = await startRegistry({ auth: 'token', token });
    const push = (repo: string) => ({ url: reg.url, authHeader: `Bearer ${token.issueToken('alice', [{ type: 'repository', name: repo, actions: ['pull', 'push'] }])}` });
    pub = await seedImage(push('public/tool'), 'public/tool', '1');
    alice = await seedImage(push('alice/app'), 'alice/app', '1');
    proxy = await startProxy(reg.url);
  });
  after(async () => {
    await proxy.stop();
    await reg.stop();
    await token.stop();
  });

  /** Runs `digest` through the counting proxy; returns the registry and token requests it made. */
  async function digest(home: Home, ref: string, args: string[] = [], env = {}) {
    proxy.requests.length = 0;
    token.requests.length = 0;
    const r = await runCli([...args, 'digest', `${proxy.host}/${ref}`], { ...home.env, ...env });
    return { ...r, registry: [...proxy.requests], token: [...token.requests] };
  }

  test('a second command skips the ping and the token request: one registry request', async () => {
    const home = await makeHome();
    const first = await digest(home, 'public/tool:1');
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.registry[0], 'GET /v2/');
    assert.equal(first.token.length, 1);
    const second = await digest(home, 'public/tool:1');
    assert.equal(second.stdout, `${pub.digest}\n`);
    assert.deepEqual(second.registry, ['HEAD /v2/public/tool/manifests/1']);
    assert.equal(second.token.length, 0);
    await home.cleanup();
  });

  test('cache files are 0600 in a 0700 folder and hold no credential', async () => {
    const home = await makeHome();
    await writeFile(home.dockerConfig, JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from(`alice:${USERS.alice}`).toString('base64') } } }));
    const r = await digest(home, 'alice/app:1');
    assert.equal(r.stdout, `${alice.digest}\n`, r.stderr);
    const dir = join(home.dir, '.cache', 'regctl');
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    const all = await entries(home);
    assert.equal(all.length, 2, 'one ping, one token');
    for (const e of all) {
      assert.equal((await stat(e.file)).mode & 0o777, 0o600, e.file);
      const text = await readFile(e.file, 'utf8');
      assert.ok(!text.includes(USERS.alice) && !text.includes(Buffer.from(`alice:${USERS.alice}`).toString('base64')), text);
    }
    assert.deepEqual((await readdir(dir)).filter((f) => !f.endsWith('.json')), [], 'no temp file left');
    await home.cleanup();
  });

  test('a token is kept per credential: another account fetches its own', async () => {
    const home = await makeHome();
    const login = (user: keyof typeof USERS) =>
      writeFile(home.dockerConfig, JSON.stringify({ auths: { [proxy.host]: { auth: Buffer.from(`${user}:${USERS[user]}`).toString('base64') } } }));
    await login('alice');
    assert.equal((await digest(home, 'public/tool:1')).token.length, 1);
    await login('bob');
    const bob = await digest(home, 'public/tool:1');
    assert.equal(bob.code, 0, bob.stderr);
    assert.equal(bob.token.length, 1);
    assert.equal(bob.token[0]!.user, 'bob');
    await home.cleanup();
  });

  test('an expired token is not used: a new one is fetched', async () => {
    const home = await makeHome();
    await digest(home, 'public/tool:1');
    const [entry] = await tokens(home);
    await writeFile(entry!.file, JSON.stringify({ ...entry!.json, expiresAt: Date.now() - 1 }));
    const r = await digest(home, 'public/tool:1');
    assert.equal(r.stdout, `${pub.digest}\n`, r.stderr);
    assert.equal(r.token.length, 1);
    assert.ok(!r.registry.includes('GET /v2/'), 'the ping is still remembered');
    await home.cleanup();
  });

  test('a revoked token (401) falls back to the full handshake once, and the new token is kept', async () => {
    const home = await makeHome();
    await digest(home, 'public/tool:1');
    const [entry] = await tokens(home);
    const revoked = token.issueToken(undefined, []); // valid signature, no access: the registry answers 401
    await writeFile(entry!.file, JSON.stringify({ ...entry!.json, token: revoked }));
    const r = await digest(home, 'public/tool:1');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${pub.digest}\n`);
    assert.deepEqual(r.registry, ['HEAD /v2/public/tool/manifests/1', 'GET /v2/', 'HEAD /v2/public/tool/manifests/1']);
    assert.equal(r.token.length, 1);
    const [kept] = await tokens(home);
    assert.notEqual(kept!.json.token, revoked);
    assert.deepEqual((await digest(home, 'public/tool:1')).registry, ['HEAD /v2/public/tool/manifests/1']);
    await home.cleanup();
  });

  test('--no-cache and REGCTL_NO_CACHE=1 neither read nor write the cache', async () => {
    const home = await makeHome();
    const off = await digest(home, 'public/tool:1', ['--no-cache']);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(existsSync(join(home.dir, '.cache', 'regctl')), false);
    await digest(home, 'public/tool:1');
    const env = await digest(home, 'public/tool:1', [], { REGCTL_NO_CACHE: '1' });
    assert.equal(env.registry[0], 'GET /v2/');
    assert.equal(env.token.length, 1);
    const flag = await digest(home, 'public/tool:1', ['--no-cache']);
    assert.equal(flag.token.length, 1);
    await home.cleanup();
  });

  test('XDG_CACHE_HOME moves the cache', async () => {
    const home = await makeHome();
    const xdg = join(home.dir, 'xdg-cache');
    await digest(home, 'public/tool:1', [], { XDG_CACHE_HOME: xdg });
    assert.equal((await readdir(join(xdg, 'regctl'))).length, 2);
    assert.equal(existsSync(join(home.dir, '.cache')), false);
    await home.cleanup();
  });
});

test('cache entries expire on the clock they were written with', async () => {
  const home = await makeHome();
  let now = 1_000_000;
  const cache = new TransportCache(join(home.dir, 'c'), () => now);
  const key = { registry: 'r.example', realm: 'https://auth.example/token', scopes: ['repository:a:pull'] };
  await cache.saveToken(key, { token: 'T', expiresAt: now + 60_000 });
  assert.equal((await cache.token(key))?.token, 'T');
  assert.equal(await cache.token({ ...key, scopes: ['repository:a:pull,push'] }), undefined, 'another scope set');
  assert.equal(await cache.token({ ...key, credential: { username: 'u', password: 'p' } }), undefined, 'another identity');
  now += 60_000;
  assert.equal(await cache.token(key), undefined);
  assert.deepEqual(await readdir(join(home.dir, 'c')), [], 'the expired file is removed');
  await home.cleanup();
});

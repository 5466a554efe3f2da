import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { createContext, digest } from '../src/index.js';
import { CATALOG, startTokenServer, type TokenServerHandle } from './helpers/token-server.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const USERS = { alice: 'alice-pw-123', bob: 'bob-pw-456' };

/** alice: pull+push on alice/*, the catalog; bob and anonymous: pull on public/*. */
function acl(user: string | undefined, repo: string): string[] {
  if (repo === CATALOG) return user === 'alice' ? ['*'] : [];
  if (repo.startsWith('public/')) return ['pull'];
  if (user === 'alice' && repo.startsWith('alice/')) return ['pull', 'push'];
  return [];
}

async function setup(postEnabled: boolean) {
  const token = await startTokenServer({ service: 'test-registry', issuer: 'test-issuer', users: USERS, acl, postEnabled });
  const reg = await startRegistry({ auth: 'token', token });
  const push = (repo: string) => ({ url: reg.url, authHeader: `Bearer ${token.issueToken('alice', [{ type: 'repository', name: repo, actions: ['pull', 'push'] }])}` });
  const priv = await seedImage(push('alice/app'), 'alice/app', '1');
  const pub = await seedImage(push('public/tool'), 'public/tool', 'latest');
  return { token, reg, priv, pub };
}

describe('token auth (real registry verifying the fixture\'s JWTs)', () => {
  let token: TokenServerHandle;
  let reg: RegistryHandle;
  let priv: SeededImage;
  let pub: SeededImage;
  let home: Home;

  before(async () => {
    ({ token, reg, priv, pub } = await setup(true));
    home = await makeHome();
  });
  after(async () => {
    await reg.stop();
    await token.stop();
    await home.cleanup();
  });

  test('anonymous pull scope for a public repository', async () => {
    token.requests.length = 0;
    const r = await runCli(['digest', `${reg.host}/public/tool`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${pub.digest}\n`);
    assert.equal(token.requests.length, 1);
    assert.equal(token.requests[0]!.method, 'GET');
    assert.equal(token.requests[0]!.user, undefined);
    assert.deepEqual(token.requests[0]!.query.getAll('scope'), ['repository:public/tool:pull']);
    assert.equal(token.requests[0]!.query.get('service'), 'test-registry');
  });

  test('anonymous access to a private repository: exit 4, denied, login hint', async () => {
    const r = await runCli(['digest', `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /^regctl: fetching manifest for .*alice\/app:1: requested access to the resource is denied$/m);
    assert.match(r.stderr, /^hint: it may need credentials: regctl login 127\.0\.0\.1:\d+$/m);
  });

  test('login with a wrong password: exit 4, nothing stored', async () => {
    const h = await makeHome();
    const r = await runCli(['login', reg.host, '-u', 'alice', '--password-stdin'], h.env, 'nope');
    assert.equal(r.code, 4);
    assert.match(r.stderr, /wrong username or password/);
    await assert.rejects(readFile(h.dockerConfig), { code: 'ENOENT' });
    await h.cleanup();
  });

  test('login stores the refresh token as identitytoken; later requests use the OAuth2 POST flow', async () => {
    const h = await makeHome();
    try {
      const r = await runCli(['login', reg.host, '-u', 'alice', '--password-stdin'], h.env, `${USERS.alice}\n`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Login Succeeded\n');
      const text = await readFile(h.dockerConfig, 'utf8');
      assert.ok(!text.includes(USERS.alice), 'the password is not stored when an identity token was issued');
      const entry = JSON.parse(text).auths[reg.host];
      assert.ok(entry.identitytoken, 'identitytoken stored');

      token.requests.length = 0;
      const d = await runCli(['digest', `${reg.host}/alice/app:1`], h.env);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(d.stdout, `${priv.digest}\n`);
      const post = token.requests.find((q) => q.method === 'POST');
      assert.ok(post, 'a POST token request was made');
      assert.equal(post.form?.get('grant_type'), 'refresh_token');
      assert.equal(post.form?.get('client_id'), 'regctl');
      assert.equal(post.form?.get('service'), 'test-registry');
      assert.equal(post.form?.get('scope'), 'repository:alice/app:pull');
      assert.equal(token.requests.filter((q) => q.method === 'GET').length, 0);
    } finally {
      await h.cleanup();
    }
  });

  test('username/password in config.json: GET flow with Basic credentials', async () => {
    const h = await makeHome(undefined, {
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`alice:${USERS.alice}`).toString('base64') } } }),
    });
    token.requests.length = 0;
    const r = await runCli(['tags', '--format', 'json', `${reg.host}/alice/app`], h.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), ['1']);
    assert.equal(token.requests[0]!.method, 'GET');
    assert.equal(token.requests[0]!.user, 'alice');
    assert.equal(token.requests[0]!.query.get('account'), 'alice');
    await h.cleanup();
  });

  test('an account without permission: exit 4, denied, names the account', async () => {
    const h = await makeHome(undefined, {
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`bob:${USERS.bob}`).toString('base64') } } }),
    });
    const r = await runCli(['tags', `${reg.host}/alice/app`], h.env);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /requested access to the resource is denied/);
    assert.match(r.stderr, /hint: the account "bob" has no access to it/);
    await h.cleanup();
  });

  test('catalog needs registry:catalog:* — asked for after the registry says insufficient_scope', async () => {
    const h = await makeHome(undefined, {
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`alice:${USERS.alice}`).toString('base64') } } }),
    });
    const ctx = await createContext({ env: h.env, homedir: h.dir, runtime: process });
    try {
      token.requests.length = 0;
      const client = await ctx.transport.client(reg.host);
      // Ask with a scope that is not enough: the registry's 401 names the scope it wants.
      const res = await client.request({ method: 'GET', path: '/v2/_catalog', scopes: ['repository:alice/app:pull'], what: 'catalog' });
      assert.equal(res.status, 200);
      assert.deepEqual((await res.body.json() as { repositories: string[] }).repositories.sort(), ['alice/app', 'public/tool']);
      assert.equal(token.requests.length, 2);
      assert.deepEqual(token.requests[1]!.query.getAll('scope').sort(), ['registry:catalog:*', 'repository:alice/app:pull']);
    } finally {
      await ctx.transport.close();
      await h.cleanup();
    }
  });

  test('tokens are cached per scope set for the process', async () => {
    const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process, noCache: true });
    try {
      token.requests.length = 0;
      assert.equal(await digest(`${reg.host}/public/tool`, { context: ctx }), pub.digest);
      assert.equal(await digest(`${reg.host}/public/tool:latest`, { context: ctx }), pub.digest);
      assert.equal(token.requests.length, 1);
    } finally {
      await ctx.transport.close();
    }
  });

  test('--debug never prints passwords, tokens or Authorization headers', async () => {
    const h = await makeHome();
    try {
      const login = await runCli(['--debug', 'login', reg.host, '-u', 'alice', '--password-stdin'], h.env, USERS.alice);
      assert.equal(login.code, 0, login.stderr);
      const d = await runCli(['--debug', 'inspect', `${reg.host}/alice/app:1`], h.env);
      assert.equal(d.code, 0, d.stderr);
      const refresh = JSON.parse(await readFile(h.dockerConfig, 'utf8')).auths[reg.host].identitytoken as string;
      for (const out of [login.stdout, login.stderr, d.stdout, d.stderr]) {
        assert.ok(!out.includes(USERS.alice));
        assert.ok(!out.includes(refresh));
        assert.doesNotMatch(out, /authorization|Bearer [A-Za-z0-9]|eyJ[A-Za-z0-9_-]{10}/i);
      }
      assert.match(d.stderr, /^debug: GET /m);
    } finally {
      await h.cleanup();
    }
  });
});

describe('token server without OAuth2 POST', () => {
  let token: TokenServerHandle;
  let reg: RegistryHandle;
  let priv: SeededImage;
  before(async () => ({ token, reg, priv } = await setup(false)));
  after(async () => {
    await reg.stop();
    await token.stop();
  });

  test('an identity token falls back to the GET flow on 404', async () => {
    const h = await makeHome();
    try {
      const login = await runCli(['login', reg.host, '-u', 'alice', '--password-stdin'], h.env, USERS.alice);
      assert.equal(login.code, 0, login.stderr);
      assert.ok(JSON.parse(await readFile(h.dockerConfig, 'utf8')).auths[reg.host].identitytoken);
      token.requests.length = 0;
      const d = await runCli(['digest', `${reg.host}/alice/app:1`], h.env);
      assert.equal(d.code, 0, d.stderr);
      assert.equal(d.stdout, `${priv.digest}\n`);
      assert.deepEqual(token.requests.map((q) => q.method), ['POST', 'GET']);
      assert.equal(token.requests[1]!.user, 'alice');
    } finally {
      await h.cleanup();
    }
  });
});

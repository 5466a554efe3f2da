// Per-command credentials against the real registry with token auth, and no config.json on disk.
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';
import { startTokenServer, type TokenServerHandle } from './helpers/token-server.js';

const USERS = { alice: 'alice-pw-123', bob: 'bob-pw-456' };

/** alice: pull+push on alice/*; bob: pull+push on bob/*; anyone: pull on public/*. */
function acl(user: string | undefined, repo: string): string[] {
  if (repo.startsWith('public/')) return ['pull'];
  if (user && repo.startsWith(`${user}/`)) return ['pull', 'push'];
  return [];
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('per-command credentials on a token-auth registry', () => {
  let token: TokenServerHandle;
  let reg: RegistryHandle;
  let image: SeededImage;
  let home: Home;
  let dir: string;

  before(async () => {
    token = await startTokenServer({ service: 'test-registry', issuer: 'test-issuer', users: USERS, acl });
    reg = await startRegistry({ auth: 'token', token });
    const authHeader = `Bearer ${token.issueToken('alice', [{ type: 'repository', name: 'alice/app', actions: ['pull', 'push'] }])}`;
    image = await seedImage({ url: reg.url, authHeader }, 'alice/app', '1');
    home = await makeHome();
    dir = await mkdtemp(join(tmpdir(), 'regctl-creds-'));
  });
  after(async () => {
    await reg.stop();
    await token.stop();
    await home.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const users = () => token.requests.map((r) => r.user ?? '(anonymous)');

  test('--creds USER:PASS reads a private image with no config.json anywhere', async () => {
    await assert.rejects(access(home.dockerConfig));
    const denied = await runCli(['digest', `${reg.host}/alice/app:1`], home.env);
    assert.equal(denied.code, 4, 'without --creds the image is denied');
    token.requests.length = 0;
    const r = await runCli(['digest', '--creds', `alice:${USERS.alice}`, `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${image.digest}\n`);
    assert.deepEqual(users(), ['alice']);
    await assert.rejects(access(home.dockerConfig), 'nothing was stored');
  });

  test('--creds with a wrong password: exit 4, and the password is not printed', async () => {
    const r = await runCli(['--debug', 'inspect', '--creds', 'alice:not-her-password', `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /wrong username, password or token/);
    assert.ok(!r.stderr.includes('not-her-password'));
    assert.ok(!r.stderr.includes(b64('alice:not-her-password')));
  });

  test('--creds USER with no terminal to ask on is a usage error', async () => {
    const r = await runCli(['digest', '--creds', 'alice', `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^regctl: --creds alice: no password, and stdin is not a terminal to ask for one$/m);
  });

  test('--registry-token is sent as is: no token exchange, never printed', async () => {
    const bearer = token.issueToken('alice', [{ type: 'repository', name: 'alice/app', actions: ['pull'] }]);
    token.requests.length = 0;
    const r = await runCli(['--debug', 'digest', '--registry-token', bearer, `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${image.digest}\n`);
    assert.equal(token.requests.length, 0, 'the token server was not asked');
    assert.ok(!r.stderr.includes(bearer));
    const bad = await runCli(['digest', '--registry-token', 'not-a-jwt', `${reg.host}/alice/app:1`], home.env);
    assert.equal(bad.code, 4);
    assert.match(bad.stderr, /refused the token given with --registry-token/);
    assert.ok(!bad.stderr.includes('not-a-jwt'));
  });

  test('--no-creds goes anonymous even when credentials are stored', async () => {
    const env = { ...home.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: b64(`alice:${USERS.alice}`) } } }) };
    const stored = await runCli(['digest', `${reg.host}/alice/app:1`], env);
    assert.equal(stored.code, 0, stored.stderr);
    token.requests.length = 0;
    const r = await runCli(['digest', '--no-creds', `${reg.host}/alice/app:1`], env);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /requested access to the resource is denied/);
    assert.ok(users().length > 0 && users().every((u) => u === '(anonymous)'), users().join());
  });

  test('--authfile reads a containers auth.json instead of the defaults (which are ignored)', async () => {
    const file = join(dir, 'auth.json');
    await writeFile(file, JSON.stringify({ auths: { [`${reg.host}`]: { auth: b64(`alice:${USERS.alice}`) } } }));
    // A wrong stored credential would win without --authfile.
    const env = { ...home.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: b64('alice:wrong') } } }) };
    const r = await runCli(['tags', '--authfile', file, `${reg.host}/alice/app`], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '1\n');
    const missing = await runCli(['tags', '--authfile', join(dir, 'nope.json'), `${reg.host}/alice/app`], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--authfile .*nope\.json: no such file/);
  });

  test('copy within one registry: --src-creds for the source repository, --dest-creds for the destination', async () => {
    const src = `${reg.host}/alice/app:1`;
    const dst = `${reg.host}/bob/app:copied`;
    const asAlice = await runCli(['copy', '-q', '--creds', `alice:${USERS.alice}`, src, dst], home.env);
    assert.equal(asAlice.code, 4, 'alice may not push to bob/*');
    token.requests.length = 0;
    const digestfile = join(dir, 'digest');
    const r = await runCli(['copy', '-q', '--src-creds', `alice:${USERS.alice}`, '--dest-creds', `bob:${USERS.bob}`, '--digestfile', digestfile, src, dst], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${image.digest}\n`);
    assert.equal(await readFile(digestfile, 'utf8'), image.digest);
    const scopes = (user: string) => token.requests.filter((q) => q.user === user).flatMap((q) => q.query.getAll('scope'));
    assert.ok(scopes('alice').every((s) => s.startsWith('repository:alice/app:')), scopes('alice').join());
    assert.ok(scopes('bob').some((s) => s === 'repository:bob/app:pull,push' || s === 'repository:bob/app:push,pull'), scopes('bob').join());
    const check = await runCli(['digest', '--creds', `bob:${USERS.bob}`, dst], home.env);
    assert.equal(check.stdout, `${image.digest}\n`);
  });

  test('copy: a wrong --dest-creds fails with exit 4 and prints neither password', async () => {
    const r = await runCli(['copy', '-q', '--src-creds', `alice:${USERS.alice}`, '--dest-creds', 'bob:wrong-bob-pw',
      `${reg.host}/alice/app:1`, `${reg.host}/bob/other:1`], home.env);
    assert.equal(r.code, 4);
    assert.ok(!r.stderr.includes(USERS.alice) && !r.stderr.includes('wrong-bob-pw'), r.stderr);
  });
});

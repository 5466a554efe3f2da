// Per-command credentials on htpasswd-over-TLS and anonymous real registries, with no config.json on disk.
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const PASSWORD = 's3cret-pw';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('per-command credentials on htpasswd over TLS', () => {
  let reg: RegistryHandle;
  let image: SeededImage;
  let home: Home;
  let dir: string;

  before(async () => {
    reg = await startRegistry({ auth: 'htpasswd', tls: true, users: { alice: PASSWORD } });
    image = await seedImage({ url: reg.url, ca: reg.caFile!, authHeader: `Basic ${b64(`alice:${PASSWORD}`)}` }, 'alice/app', '1');
    home = await makeHome({ registries: { [reg.host]: { ca: reg.caFile } } });
    dir = await mkdtemp(join(tmpdir(), 'regctl-creds-'));
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  test('--creds: pull, then push to another repository with --digestfile; nothing stored', async () => {
    const denied = await runCli(['digest', `${reg.host}/alice/app:1`], home.env);
    assert.equal(denied.code, 4);
    assert.match(denied.stderr, /authentication required/);
    const creds = ['--creds', `alice:${PASSWORD}`];
    const pull = await runCli(['pull', '-q', ...creds, `${reg.host}/alice/app:1`], home.env);
    assert.equal(pull.code, 0, pull.stderr);
    const tag = await runCli(['tag', `${reg.host}/alice/app:1`, `${reg.host}/alice/copy:2`], home.env);
    assert.equal(tag.code, 0, tag.stderr);
    const digestfile = join(dir, 'push-digest');
    const push = await runCli(['push', '-q', ...creds, '--digestfile', digestfile, `${reg.host}/alice/copy:2`], home.env);
    assert.equal(push.code, 0, push.stderr);
    assert.equal(await readFile(digestfile, 'utf8'), image.digest);
    const check = await runCli(['digest', ...creds, `${reg.host}/alice/copy:2`], home.env);
    assert.equal(check.stdout, `${image.digest}\n`);
    await assert.rejects(access(home.dockerConfig), 'no config.json was written');
  });

  test('--creds with a wrong password: exit 4; --debug shows neither the password nor the Basic header', async () => {
    const r = await runCli(['--debug', 'digest', '--creds', 'alice:bad-pw-xyz', `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /wrong username or password/);
    assert.ok(!r.stderr.includes('bad-pw-xyz') && !r.stderr.includes(b64('alice:bad-pw-xyz')));
  });

  test('--authfile: a docker config.json given explicitly', async () => {
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ auths: { [reg.host]: { auth: b64(`alice:${PASSWORD}`) } } }));
    const r = await runCli(['inspect', '--format', 'json', '--authfile', file, `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).digest, image.digest);
  });

  test('--no-creds overrides stored credentials; --registry-token is refused by a Basic registry (exit 4)', async () => {
    const env = { ...home.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: b64(`alice:${PASSWORD}`) } } }) };
    assert.equal((await runCli(['digest', `${reg.host}/alice/app:1`], env)).code, 0);
    const anon = await runCli(['digest', '--no-creds', `${reg.host}/alice/app:1`], env);
    assert.equal(anon.code, 4);
    const tok = await runCli(['digest', '--registry-token', 'tok-123', `${reg.host}/alice/app:1`], env);
    assert.equal(tok.code, 4);
    assert.match(tok.stderr, /refused the token given with --registry-token/);
  });

  test('conflicting credential flags are a usage error', async () => {
    const r = await runCli(['digest', '--creds', 'a:b', '--registry-token', 't', `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--creds and --registry-token cannot be used together/);
    const empty = await runCli(['digest', '--creds', ':pw', `${reg.host}/alice/app:1`], home.env);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /the username is empty/);
    const sides = await runCli(['copy', '--src-creds', 'a:b', '--src-no-creds', `${reg.host}/alice/app:1`, `${reg.host}/alice/x:1`], home.env);
    assert.equal(sides.code, 2);
    assert.match(sides.stderr, /--src-creds and --src-no-creds cannot be used together/);
  });

  test('copy from the Basic registry to an anonymous one: --src-creds only where it is needed', async () => {
    const anon = await startRegistry();
    try {
      const r = await runCli(['copy', '-q', '--src-creds', `alice:${PASSWORD}`, `${reg.host}/alice/app:1`, `${anon.host}/mirror/app:1`], home.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${image.digest}\n`);
      const back = await runCli(['digest', '--no-creds', `${anon.host}/mirror/app:1`], home.env);
      assert.equal(back.stdout, `${image.digest}\n`);
      const withCreds = await runCli(['tags', '--creds', 'anyone:anything', `${anon.host}/mirror/app`], home.env);
      assert.equal(withCreds.stdout, '1\n', 'an anonymous registry ignores credentials it never asks for');
      const swapped = await runCli(['copy', '-q', '--dest-creds', `alice:${PASSWORD}`, `${reg.host}/alice/app:1`, `${anon.host}/mirror/app:2`], home.env);
      assert.equal(swapped.code, 4, 'the source gets no credentials from --dest-creds');
    } finally {
      await anon.stop();
    }
  });
});

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

  test('registry verbs take --creds, image changes --src-creds / --dest-creds (rebase\'s bases are sources)', async () => {
    const anon = await startRegistry();
    try {
      const creds = ['--creds', `alice:${PASSWORD}`];
      const denied = await runCli(['manifest', 'head', `${reg.host}/alice/app:1`], home.env);
      assert.equal(denied.code, 4, 'a verb without credentials is refused');
      const head = await runCli(['manifest', 'head', '--format', 'json', ...creds, `${reg.host}/alice/app:1`], home.env);
      assert.equal(head.code, 0, head.stderr);
      assert.equal(JSON.parse(head.stdout).digest, image.digest);

      // Out of the Basic registry: the source needs --src-creds, --dest-creds alone gives it none.
      const out = `${anon.host}/m/app:1`;
      const noSrc = await runCli(['mutate', '-q', '--dest-creds', `alice:${PASSWORD}`, '--label', 'a=b', '-t', out, `${reg.host}/alice/app:1`], home.env);
      assert.equal(noSrc.code, 4, noSrc.stderr);
      assert.equal((await runCli(['digest', out], home.env)).code, 3, 'nothing written');
      const mutated = await runCli(['mutate', '-q', '--src-creds', `alice:${PASSWORD}`, '--label', 'a=b', '-t', out, `${reg.host}/alice/app:1`], home.env);
      assert.equal(mutated.code, 0, mutated.stderr);
      assert.equal((await runCli(['digest', out], home.env)).stdout, mutated.stdout);

      // rebase's bases are sources: on the Basic registry they take --src-creds, not --dest-creds (the anonymous
      // registry written to ignores what it is sent).
      const rebaseArgs = ['rebase', '-q', '--old-base', `${reg.host}/alice/app:1`, '--new-base', `${reg.host}/alice/app:1`, '-t', `${anon.host}/m/app:2`, out];
      assert.equal((await runCli([...rebaseArgs, '--dest-creds', `alice:${PASSWORD}`], home.env)).code, 4);
      const rebased = await runCli([...rebaseArgs, '--src-creds', `alice:${PASSWORD}`, '--dest-creds', 'nobody:nothing'], home.env);
      assert.equal(rebased.code, 0, rebased.stderr);
      assert.equal(rebased.stdout, mutated.stdout, 'rebased onto the same base: the same image');

      // Into the Basic registry: the result takes --dest-creds, not --src-creds.
      const back = `${reg.host}/alice/app:labelled`;
      const intoArgs = ['mutate', '-q', '--label', 'c=d', '-t', back, out];
      assert.equal((await runCli([...intoArgs, '--src-creds', `alice:${PASSWORD}`], home.env)).code, 4, 'the destination gets no credentials from --src-creds');
      const into = await runCli([...intoArgs, '--dest-creds', `alice:${PASSWORD}`], home.env);
      assert.equal(into.code, 0, into.stderr);
      assert.equal((await runCli(['digest', ...creds, back], home.env)).stdout, into.stdout);

      // A verb that writes: tag rm needs --creds too, and removes only that tag.
      assert.equal((await runCli(['tag', 'rm', back], home.env)).code, 4);
      const rm = await runCli(['tag', 'rm', ...creds, back], home.env);
      assert.equal(rm.code, 0, rm.stderr);
      assert.equal((await runCli(['digest', ...creds, back], home.env)).code, 3);
      assert.equal((await runCli(['digest', ...creds, `${reg.host}/alice/app:1`], home.env)).stdout, `${image.digest}\n`);
      await assert.rejects(access(home.dockerConfig), 'no config.json was written');
    } finally {
      await anon.stop();
    }
  });
});

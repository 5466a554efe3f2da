import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, stat, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createContext, digest } from '../src/index.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';
import { otherCA } from './helpers/tls.js';

describe('htpasswd over TLS with a test CA (the real registry)', () => {
  let reg: RegistryHandle;
  let image: SeededImage;
  const basicAuth = `Basic ${Buffer.from('alice:s3cret-pw').toString('base64')}`;

  before(async () => {
    reg = await startRegistry({ auth: 'htpasswd', tls: true, users: { alice: 's3cret-pw' } });
    image = await seedImage({ url: reg.url, ca: reg.caFile!, authHeader: basicAuth }, 'alice/app', '1');
  });
  after(() => reg.stop());

  const trusted = () => makeHome({ registries: { [reg.host]: { ca: reg.caFile } } });

  test('an unknown CA fails with exit 5 and names the TLS problem', async () => {
    const home = await makeHome();
    try {
      const r = await runCli(['digest', `${reg.host}/alice/app:1`], home.env);
      assert.equal(r.code, 5);
      assert.match(r.stderr, new RegExp(`^regctl: TLS handshake with https://${reg.host} failed: certificate signed by unknown authority$`, 'm'));
      assert.match(r.stderr, /^hint: trust the registry's CA/m);
      const other = await otherCA();
      const wrong = await makeHome({ registries: { [reg.host]: { ca: other.caCert } } });
      const r2 = await runCli(['digest', `${reg.host}/alice/app:1`], wrong.env);
      assert.equal(r2.code, 5);
      assert.match(r2.stderr, /certificate signed by unknown authority/);
      await wrong.cleanup();
    } finally {
      await home.cleanup();
    }
  });

  test('--insecure skips verification (then asks for credentials)', async () => {
    const home = await makeHome();
    const r = await runCli(['--insecure', 'digest', `${reg.host}/alice/app:1`], home.env);
    assert.equal(r.code, 4, r.stderr);
    await home.cleanup();
  });

  test('a CA from a certs.d folder is trusted', async () => {
    const home = await makeHome();
    const certs = await mkdtemp(join(tmpdir(), 'certs-d-'));
    await mkdir(join(certs, reg.host));
    await copyFile(reg.caFile!, join(certs, reg.host, 'ca.crt'));
    const ctx = await createContext({ env: { ...home.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from('alice:s3cret-pw').toString('base64') } } }) }, homedir: home.dir, runtime: process, certsDirs: [certs] });
    try {
      assert.equal(await digest(`${reg.host}/alice/app:1`, { context: ctx }), image.digest);
    } finally {
      await ctx.transport.close();
      await rm(certs, { recursive: true, force: true });
      await home.cleanup();
    }
  });

  test('anonymous access: exit 4 with a login hint', async () => {
    const home = await trusted();
    const r = await runCli(['tags', `${reg.host}/alice/app`], home.env);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /^regctl: listing tags of .*alice\/app: authentication required$/m);
    assert.match(r.stderr, new RegExp(`^hint: log in first: regctl login ${reg.host.replace(/\./g, '\\.')}$`, 'm'));
    await home.cleanup();
  });

  test('login with a wrong password: exit 4 and nothing stored', async () => {
    const home = await trusted();
    const r = await runCli(['login', reg.host, '-u', 'alice', '--password-stdin'], home.env, 'wrong-pw\n');
    assert.equal(r.code, 4);
    assert.match(r.stderr, /^regctl: login to .* failed: wrong username or password$/m);
    assert.equal(r.stdout, '');
    await assert.rejects(stat(home.dockerConfig), { code: 'ENOENT' });
    assert.ok(!r.stderr.includes('wrong-pw'));
    await home.cleanup();
  });

  test('login, use, logout', async () => {
    const home = await trusted();
    const r = await runCli(['login', reg.host, '-u', 'alice', '--password-stdin'], home.env, 's3cret-pw\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Login Succeeded\n');
    assert.match(r.stderr, /WARNING! Your password will be stored unencrypted in .*config\.json/);
    assert.ok(!r.stderr.includes('s3cret-pw'));
    const cfg = JSON.parse(await readFile(home.dockerConfig, 'utf8'));
    assert.equal(Buffer.from(cfg.auths[reg.host].auth, 'base64').toString(), 'alice:s3cret-pw');
    assert.equal((await stat(home.dockerConfig)).mode & 0o777, 0o600);

    const tags = await runCli(['tags', `${reg.host}/alice/app`], home.env);
    assert.equal(tags.code, 0, tags.stderr);
    assert.equal(tags.stdout, '1\n');
    const d = await runCli(['digest', `${reg.host}/alice/app:1`], home.env);
    assert.equal(d.stdout, `${image.digest}\n`);

    const out = await runCli(['logout', reg.host], home.env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /Removing login credentials for 127\.0\.0\.1:\d+/);
    assert.equal(JSON.parse(await readFile(home.dockerConfig, 'utf8')).auths[reg.host], undefined);
    assert.equal((await runCli(['tags', `${reg.host}/alice/app`], home.env)).code, 4);
    await home.cleanup();
  });

  test('-p works but warns; credentials in config.json that are wrong give exit 4', async () => {
    const home = await trusted();
    const r = await runCli(['login', reg.host, '-u', 'alice', '-p', 's3cret-pw'], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /WARNING! Using --password via the CLI is insecure/);
    const bad = await makeHome({ registries: { [reg.host]: { ca: reg.caFile } } }, {
      DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from('alice:nope').toString('base64') } } }),
    });
    const t = await runCli(['tags', `${reg.host}/alice/app`], bad.env);
    assert.equal(t.code, 4);
    assert.match(t.stderr, /wrong username or password/);
    await bad.cleanup();
    await home.cleanup();
  });

  test('login usage errors: exit 2', async () => {
    const home = await trusted();
    const noUser = await runCli(['login', reg.host, '--password-stdin'], home.env, 'x');
    assert.equal(noUser.code, 2);
    assert.match(noUser.stderr, /a username is required/);
    const both = await runCli(['login', reg.host, '-u', 'a', '-p', 'x', '--password-stdin'], home.env, 'x');
    assert.equal(both.code, 2);
    const empty = await runCli(['login', reg.host, '-u', 'a', '--password-stdin'], home.env, '\n');
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /a password is required/);
    await home.cleanup();
  });
});

// Credential store: config.json, DOCKER_AUTH_CONFIG, containers auth.json and the REAL docker-credential-pass
// (golang-docker-credential-helpers 0.6.4) over a headless gpg + pass store in a temp dir.
import assert from 'node:assert/strict';
import { startPassStore, type PassStore } from './helpers/pass-store.js';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, readFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CredentialStore } from '../src/auth/store.js';
import { credentialKey, keyMatches, normalizeServer } from '../src/auth/hostname.js';
import { runHelper } from '../src/auth/helper.js';
import { atomicWriteFile } from '../src/util/atomic-write.js';
import { ConfigError, UsageError } from '../src/errors.js';
import type { Env } from '../src/util/env.js';

const root = mkdtempSync(join(tmpdir(), 'regctl-cred-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh HOME with an env that has nothing but PATH (plus extras). */
function sandbox(extra: Record<string, string> = {}): { home: string; env: Env; store: CredentialStore; cfgPath: string } {
  const home = join(root, `h${n++}`);
  mkdirSync(home, { recursive: true });
  const env: Env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, ...extra };
  return { home, env, store: new CredentialStore({ env, homedir: home }), cfgPath: join(home, '.docker', 'config.json') };
}

function writeConfig(path: string, data: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const readJSON = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, any>;

describe('hostname helpers', () => {
  test('credentialKey', () => {
    for (const hub of ['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Docker.IO', 'https://index.docker.io/v1/']) {
      assert.equal(credentialKey(hub), 'https://index.docker.io/v1/', hub);
    }
    assert.equal(credentialKey('localhost:5000'), 'localhost:5000');
    assert.equal(credentialKey('ghcr.io'), 'ghcr.io');
    assert.equal(credentialKey('Registry.Example:443'), 'registry.example:443');
  });

  test('normalizeServer', () => {
    const cases: [string, string][] = [
      ['docker.io', 'docker.io'],
      ['https://index.docker.io/v1/', 'docker.io'],
      ['index.docker.io', 'docker.io'],
      ['registry-1.docker.io', 'docker.io'],
      ['HTTPS://Registry.Example:5000/v2/foo', 'registry.example:5000'],
      ['http://localhost:5000', 'localhost:5000'],
      ['localhost:5000/ns/repo', 'localhost:5000'],
      ['  ghcr.io  ', 'ghcr.io'],
      ['[::1]:5000', '[::1]:5000'],
      ['127.0.0.1:5000', '127.0.0.1:5000'],
    ];
    for (const [input, want] of cases) assert.equal(normalizeServer(input), want, input);
    for (const bad of ['', '   ', 'https://', 'ftp://host', 'user@host', 'bad host', 'host:port']) {
      assert.throws(() => normalizeServer(bad), UsageError, bad);
    }
  });

  test('keyMatches (docker ConvertToHostname)', () => {
    const yes: [string, string][] = [
      ['https://index.docker.io/v1/', 'docker.io'],
      ['docker.io', 'docker.io'],
      ['index.docker.io', 'registry-1.docker.io'],
      ['https://localhost:5000/v1/', 'localhost:5000'],
      ['http://localhost:5000', 'localhost:5000'],
      ['localhost:5000', 'localhost:5000'],
      ['Registry.Example', 'registry.example'],
    ];
    const no: [string, string][] = [
      ['https://index.docker.io/v1/', 'ghcr.io'],
      ['localhost:5000', 'localhost:5001'],
      ['localhost', 'localhost:5000'],
      ['ghcr.io', 'docker.io'],
      ['', 'docker.io'],
    ];
    for (const [k, r] of yes) assert.equal(keyMatches(k, r), true, `${k} ~ ${r}`);
    for (const [k, r] of no) assert.equal(keyMatches(k, r), false, `${k} !~ ${r}`);
  });
});

describe('config.json reads', () => {
  test('auth, username/password and identitytoken entries; Hub key for every Hub alias', async () => {
    const { store, cfgPath } = sandbox();
    writeConfig(cfgPath, {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hubuser:hub:pass') },
        'localhost:5000': { username: 'plain', password: 'pw' },
        'tok.example': { auth: b64('tokuser:'), identitytoken: 'refresh-123' },
        'https://legacy.example:8443/v1/': { auth: b64('old:secret') },
        'empty.example': {},
      },
    });
    for (const hub of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
      assert.deepEqual(await store.get(hub), { username: 'hubuser', password: 'hub:pass' }, hub);
    }
    assert.deepEqual(await store.get('localhost:5000'), { username: 'plain', password: 'pw' });
    assert.deepEqual(await store.get('tok.example'), { username: 'tokuser', identityToken: 'refresh-123' });
    assert.deepEqual(await store.get('legacy.example:8443'), { username: 'old', password: 'secret' });
    assert.equal(await store.get('empty.example'), undefined);
    assert.equal(await store.get('other.example'), undefined);
  });

  test('DOCKER_CONFIG wins over HOME/.docker', async () => {
    const dir = join(root, 'dockercfg');
    const { store, cfgPath } = sandbox({ DOCKER_CONFIG: dir });
    writeConfig(cfgPath, { auths: { 'r.example': { auth: b64('home:x') } } });
    writeConfig(join(dir, 'config.json'), { auths: { 'r.example': { auth: b64('dc:y') } } });
    assert.equal(store.settingsPath, join(dir, 'config.json'));
    assert.deepEqual(await store.get('r.example'), { username: 'dc', password: 'y' });
  });

  test('no config.json at all is fine', async () => {
    const { store } = sandbox();
    assert.equal(await store.get('docker.io'), undefined);
  });

  test('DOCKER_AUTH_CONFIG takes precedence for reads and is never written', async () => {
    const envAuth = JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('envuser:envpw') } } });
    const { store, cfgPath } = sandbox({ DOCKER_AUTH_CONFIG: envAuth });
    writeConfig(cfgPath, { auths: { 'https://index.docker.io/v1/': { auth: b64('fileuser:filepw') }, 'x.example': { auth: b64('fx:fy') } } });
    assert.deepEqual(await store.get('docker.io'), { username: 'envuser', password: 'envpw' });
    assert.deepEqual(await store.get('x.example'), { username: 'fx', password: 'fy' }, 'falls back to the file for other registries');
    await store.save('docker.io', { username: 'new', password: 'newpw' });
    const file = readJSON(cfgPath);
    assert.equal(file['auths']['https://index.docker.io/v1/'].auth, b64('new:newpw'));
    assert.ok(!JSON.stringify(file).includes('envuser'));

    const bad = sandbox({ DOCKER_AUTH_CONFIG: '{"auths": {"r": {"auth": "c2VjcmV0OnM="}' });
    await assert.rejects(bad.store.get('r'), (e: unknown) => e instanceof ConfigError && /DOCKER_AUTH_CONFIG/.test(e.message) && !e.message.includes('c2VjcmV0'));
  });

  test('containers auth.json fallback: REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, ~/.config/containers', async () => {
    const runtime = join(root, 'run');
    const explicit = join(root, 'explicit-auth.json');
    const { store, home, cfgPath } = sandbox({ XDG_RUNTIME_DIR: runtime, REGISTRY_AUTH_FILE: explicit });
    writeConfig(cfgPath, { auths: { 'cfg.example': { auth: b64('c:1') } } });
    writeConfig(explicit, { auths: { 'a.example': { auth: b64('explicit:1') } } });
    writeConfig(join(runtime, 'containers', 'auth.json'), {
      auths: { 'a.example': { auth: b64('runtime:1') }, 'b.example': { auth: b64('runtime:2') }, 'docker.io': { auth: b64('hub:3') }, 'cfg.example': { auth: b64('no:0') } },
    });
    writeConfig(join(home, '.config', 'containers', 'auth.json'), {
      auths: { 'c.example': { auth: b64('homecfg:4') }, 'ns.example/team/app': { auth: b64('scoped:5') } },
    });
    assert.deepEqual(await store.get('cfg.example'), { username: 'c', password: '1' }, 'config.json first');
    assert.deepEqual(await store.get('a.example'), { username: 'explicit', password: '1' });
    assert.deepEqual(await store.get('b.example'), { username: 'runtime', password: '2' });
    assert.deepEqual(await store.get('docker.io'), { username: 'hub', password: '3' }, 'auth.json uses docker.io for Hub');
    assert.deepEqual(await store.get('c.example'), { username: 'homecfg', password: '4' });
    assert.equal(await store.get('ns.example'), undefined, 'a namespace-scoped key is not a registry-wide credential');
  });

  test('malformed files give a ConfigError naming the file, never its content', async () => {
    const { store, cfgPath } = sandbox();
    writeConfig(cfgPath, '{"auths": {"r.example": {"auth": "dG9wc2VjcmV0OnB3"}},,}');
    await assert.rejects(store.get('r.example'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, new RegExp(`${cfgPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`));
      assert.ok(!e.message.includes('dG9wc2VjcmV0'));
      return true;
    });
    writeConfig(cfgPath, '[1,2]');
    await assert.rejects(store.get('r.example'), /expected a JSON object/);
    writeConfig(cfgPath, { auths: { 'r.example': 'nope' } });
    await assert.rejects(store.get('r.example'), /auths\["r.example"\] must be an object/);

    writeConfig(cfgPath, { auths: { 'r.example': { auth: 'not base64!!' } } });
    await assert.rejects(store.get('r.example'), (e: unknown) => e instanceof ConfigError && /invalid "auth" for "r.example".*not base64/.test(e.message) && !!e.hint);
    writeConfig(cfgPath, { auths: { 'r.example': { auth: b64('nocolonsecret') } } });
    await assert.rejects(store.get('r.example'), (e: unknown) => e instanceof ConfigError && /no ":" found/.test(e.message) && !e.message.includes('nocolonsecret') && !e.message.includes(b64('nocolonsecret')));
    // a broken entry for another registry does not block this one
    writeConfig(cfgPath, { auths: { 'r.example': { auth: 'x' }, 'ok.example': { auth: b64('u:p') } } });
    assert.deepEqual(await store.get('ok.example'), { username: 'u', password: 'p' });
  });
});

describe('config.json writes', () => {
  test('save writes auths[key] as base64, keeps unknown keys, mode 0600, no temp file left', async () => {
    const { store, cfgPath } = sandbox();
    writeConfig(cfgPath, {
      auths: { 'keep.example': { auth: b64('k:v'), email: 'k@example.invalid' }, 'https://index.docker.io/v1/': { email: 'me@x', auth: b64('old:old') } },
      HttpHeaders: { 'X-Meta': 'yes' },
      psFormat: 'table {{.ID}}',
      plugins: { foo: { bar: 'baz' } },
      futureThing: [1, { nested: true }],
    });
    chmodSync(cfgPath, 0o644);
    const res = await store.save('docker.io', { username: 'alice', password: 's3cr:et' });
    assert.deepEqual(res, { location: cfgPath, plaintext: true });
    const file = readJSON(cfgPath);
    assert.deepEqual(file['auths']['https://index.docker.io/v1/'], { email: 'me@x', auth: b64('alice:s3cr:et') });
    assert.deepEqual(file['auths']['keep.example'], { auth: b64('k:v'), email: 'k@example.invalid' });
    assert.deepEqual(file['HttpHeaders'], { 'X-Meta': 'yes' });
    assert.equal(file['psFormat'], 'table {{.ID}}');
    assert.deepEqual(file['plugins'], { foo: { bar: 'baz' } });
    assert.deepEqual(file['futureThing'], [1, { nested: true }]);
    assert.equal(statSync(cfgPath).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(join(cfgPath, '..')), ['config.json']);
    assert.deepEqual(await store.get('docker.io'), { username: 'alice', password: 's3cr:et' });

    await store.save('tok.example', { username: 'bob', identityToken: 'refresh-xyz' });
    assert.deepEqual(readJSON(cfgPath)['auths']['tok.example'], { auth: b64('bob:'), identitytoken: 'refresh-xyz' });
    assert.deepEqual(await store.get('tok.example'), { username: 'bob', identityToken: 'refresh-xyz' });
  });

  test('save creates ~/.docker with 0700 and config.json with 0600', async () => {
    const { store, cfgPath, home } = sandbox();
    await store.save('localhost:5000', { username: 'u', password: 'p' });
    assert.equal(statSync(join(home, '.docker')).mode & 0o777, 0o700);
    assert.equal(statSync(cfgPath).mode & 0o777, 0o600);
    assert.deepEqual(readJSON(cfgPath), { auths: { 'localhost:5000': { auth: b64('u:p') } } });
  });

  test('a symlinked config.json is written through to its target', async () => {
    const { store, cfgPath, home } = sandbox();
    const real = join(home, 'dotfiles', 'docker.json');
    writeConfig(real, { auths: {}, custom: 1 });
    mkdirSync(join(home, '.docker'), { recursive: true });
    symlinkSync(real, cfgPath);
    await store.save('r.example', { username: 'u', password: 'p' });
    assert.ok(lstatSync(cfgPath).isSymbolicLink());
    assert.equal(readJSON(real)['custom'], 1);
    assert.equal(readJSON(real)['auths']['r.example'].auth, b64('u:p'));
  });

  test('erase removes every matching auths entry, keeps the rest, false when nothing was stored', async () => {
    const { store, cfgPath } = sandbox();
    writeConfig(cfgPath, { auths: { 'r.example': { auth: b64('a:b') }, 'https://r.example/v1/': { auth: b64('c:d') }, 'o.example': { auth: b64('e:f') } }, x: 1 });
    assert.equal(await store.erase('r.example'), true);
    assert.deepEqual(readJSON(cfgPath), { auths: { 'o.example': { auth: b64('e:f') } }, x: 1 });
    assert.equal(await store.erase('r.example'), false);
    assert.equal(await store.erase('never.example'), false);
    assert.equal(statSync(cfgPath).mode & 0o777, 0o600);
  });

  test('atomicWriteFile leaves no temp file when the rename fails', async () => {
    const dir = join(root, 'atomic');
    const target = join(dir, 'sub', 'file.json');
    mkdirSync(join(target, 'occupied'), { recursive: true }); // a non-empty directory where the file should go
    await assert.rejects(atomicWriteFile(target, 'data'));
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['file.json']);
    rmSync(target, { recursive: true });
    await atomicWriteFile(target, 'data');
    assert.equal(readFileSync(target, 'utf8'), 'data');
    assert.equal(statSync(target).mode & 0o777, 0o600);
  });

  test('save refuses a credential with nothing secret in it', async () => {
    const { store } = sandbox();
    await assert.rejects(store.save('r.example', { username: 'u' }), ConfigError);
  });
});

describe('credential helpers (real docker-credential-pass 0.6.4)', () => {
  let passStore: PassStore;
  let helperEnv: PassStore['env'];
  const pass = (action: string, input: string) => passStore.raw(action, input);

  before(async () => {
    passStore = await startPassStore();
    helperEnv = passStore.env;
  });
  after(() => passStore.stop());

  test('credsStore: save goes to the helper, not to config.json; the raw helper reads it', async () => {
    const { store, cfgPath } = sandbox(helperEnv);
    writeConfig(cfgPath, { credsStore: 'pass', auths: { 'localhost:5000': { auth: b64('stale:plaintext') } }, other: true });
    const res = await store.save('localhost:5000', { username: 'alice', password: 'pw-1' });
    assert.deepEqual(res, { location: 'credential helper docker-credential-pass', plaintext: false });
    const file = readJSON(cfgPath);
    assert.deepEqual(file['auths']['localhost:5000'], {}, 'like docker: an empty entry, the plaintext copy is gone');
    assert.equal(file['other'], true);
    assert.ok(!readFileSync(cfgPath, 'utf8').includes('pw-1'));
    const raw = await pass('get', 'localhost:5000');
    assert.equal(raw.code, 0);
    assert.deepEqual(JSON.parse(raw.stdout), { ServerURL: 'localhost:5000', Username: 'alice', Secret: 'pw-1' });
    assert.deepEqual(await store.get('localhost:5000'), { username: 'alice', password: 'pw-1' });

    // Hub goes to the helper under docker's key
    await store.save('docker.io', { username: 'hubber', password: 'hub-pw' });
    assert.deepEqual(JSON.parse((await pass('get', 'https://index.docker.io/v1/')).stdout), { ServerURL: 'https://index.docker.io/v1/', Username: 'hubber', Secret: 'hub-pw' });
  });

  test('raw helper store → CredentialStore.get, including <token> identity tokens', async () => {
    const { store, cfgPath } = sandbox(helperEnv);
    writeConfig(cfgPath, { credsStore: 'pass' });
    assert.equal((await pass('store', JSON.stringify({ ServerURL: 'raw.example', Username: 'rawuser', Secret: 'raw-pw' }))).code, 0);
    assert.equal((await pass('store', JSON.stringify({ ServerURL: 'tok.example', Username: '<token>', Secret: 'refresh-tok' }))).code, 0);
    assert.deepEqual(await store.get('raw.example'), { username: 'rawuser', password: 'raw-pw' });
    assert.deepEqual(await store.get('tok.example'), { identityToken: 'refresh-tok' });
    // and an identity token saved through regctl goes in as <token>
    await store.save('tok2.example', { username: 'x', identityToken: 'refresh-2' });
    assert.deepEqual(JSON.parse((await pass('get', 'tok2.example')).stdout), { ServerURL: 'tok2.example', Username: '<token>', Secret: 'refresh-2' });
  });

  test('the 0.6.4 empty answer for an unknown server reads as not found', async () => {
    const raw = await pass('get', 'unknown.example');
    assert.equal(raw.code, 0);
    assert.deepEqual(JSON.parse(raw.stdout), { ServerURL: 'unknown.example', Username: '', Secret: '' });
    const { store, cfgPath } = sandbox(helperEnv);
    writeConfig(cfgPath, { credsStore: 'pass' });
    assert.equal(await store.get('unknown.example'), undefined);
  });

  test('precedence: credHelpers > credsStore > auths; a configured helper is the only config.json source (docker)', async () => {
    await pass('store', JSON.stringify({ ServerURL: 'helped.example', Username: 'from-pass', Secret: 'p1' }));
    await pass('store', JSON.stringify({ ServerURL: 'https://index.docker.io/v1/', Username: 'hub-from-pass', Secret: 'p2' }));
    const { store, cfgPath } = sandbox(helperEnv);
    writeConfig(cfgPath, {
      credsStore: 'regctl-test-missing',
      credHelpers: { 'helped.example': 'pass', 'https://index.docker.io/v1/': 'pass', 'nohelper.example': 'pass' },
      auths: { 'helped.example': { auth: b64('from-file:f1') }, 'nohelper.example': { auth: b64('from-file:f2') } },
    });
    assert.deepEqual(await store.get('helped.example'), { username: 'from-pass', password: 'p1' }, 'credHelpers beats credsStore and auths');
    assert.deepEqual(await store.get('docker.io'), { username: 'hub-from-pass', password: 'p2' }, 'Hub credHelpers key is https://index.docker.io/v1/');
    assert.equal(await store.get('nohelper.example'), undefined, 'helper has nothing: docker does not fall back to auths');
    await assert.rejects(store.get('elsewhere.example'), /credential helper "docker-credential-regctl-test-missing" not found in PATH/, 'credsStore for the rest');

    const s2 = sandbox(helperEnv);
    writeConfig(s2.cfgPath, { credsStore: 'pass', auths: { 'helped.example': { auth: b64('from-file:f1') } } });
    assert.deepEqual(await s2.store.get('helped.example'), { username: 'from-pass', password: 'p1' }, 'credsStore beats auths');

    const s3 = sandbox(helperEnv);
    writeConfig(s3.cfgPath, { credHelpers: { 'docker.io': 'pass' } });
    assert.deepEqual(await s3.store.get('docker.io'), { username: 'hub-from-pass', password: 'p2' }, 'host-style credHelpers key accepted for Hub');
  });

  test('erase through the helper: true, then false; credHelpers entry stays', async () => {
    const { store, cfgPath } = sandbox(helperEnv);
    writeConfig(cfgPath, { credHelpers: { 'er.example': 'pass' } });
    await store.save('er.example', { username: 'u', password: 'erase-me' });
    assert.equal((await pass('get', 'er.example')).stdout.includes('erase-me'), true);
    assert.equal(await store.erase('er.example'), true);
    assert.deepEqual(JSON.parse((await pass('get', 'er.example')).stdout), { ServerURL: 'er.example', Username: '', Secret: '' });
    assert.equal(await store.erase('er.example'), false);
    const file = readJSON(cfgPath);
    assert.deepEqual(file['credHelpers'], { 'er.example': 'pass' });
    assert.equal(file['auths']?.['er.example'], undefined);
  });

  test('a missing helper gives the clear error with a hint', async () => {
    const { store, cfgPath } = sandbox(helperEnv);
    writeConfig(cfgPath, { credsStore: 'nope' });
    await assert.rejects(store.get('r.example'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, 'credential helper "docker-credential-nope" not found in PATH');
      assert.match(e.hint ?? '', /install docker-credential-nope/);
      return true;
    });
    await assert.rejects(store.save('r.example', { username: 'u', password: 'p' }), /not found in PATH/);
    assert.deepEqual(readJSON(cfgPath), { credsStore: 'nope' }, 'nothing written when the helper fails');
  });

  test('a failing helper: first line of its output, secret scrubbed; timeout', async () => {
    const bin = join(root, 'fakebin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'docker-credential-echoer'), '#!/bin/sh\necho "cannot store: $(cat)"\necho second line\nexit 3\n', { mode: 0o755 });
    writeFileSync(join(bin, 'docker-credential-sleeper'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const env = { PATH: `${bin}:${process.env['PATH']}` };
    const input = JSON.stringify({ ServerURL: 'r.example', Username: 'u', Secret: 'TOPSECRET-123' });
    await assert.rejects(runHelper('echoer', 'store', input, env), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^credential helper "docker-credential-echoer" failed storing credentials for r.example: cannot store: /);
      assert.ok(!e.message.includes('TOPSECRET-123'), e.message);
      assert.ok(!e.message.includes('second line'));
      return true;
    });
    // A helper that would answer (with nothing) after 30 s: the 300 ms limit is what ends it, whatever the load.
    await assert.rejects(runHelper('sleeper', 'get', 'r.example', env, { timeoutMs: 300 }), /did not answer within/);
    // pass with an uninitialised store: a real helper failure, reported in one line
    const broken = sandbox({ GNUPGHOME: helperEnv.GNUPGHOME, PASSWORD_STORE_DIR: join(root, 'no-such-store') });
    writeConfig(broken.cfgPath, { credsStore: 'pass' });
    await assert.rejects(broken.store.save('r.example', { username: 'u', password: 'never-shown' }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^credential helper "docker-credential-pass" failed storing credentials for r.example: /);
      assert.ok(!e.message.includes('never-shown') && !e.message.includes('\n'));
      return true;
    });
  });
});

// docker-credential-regctl against a REAL Secret Service: gnome-keyring in a private D-Bus session
// (dbus-run-session), unlocked with a throw-away password, its keyring files in a temp XDG_DATA_HOME.
//
// The helper runs from source (`node --import tsx src/credential-helper.ts`) through a small
// `docker-credential-regctl` wrapper script on PATH, so the test does not depend on `npm run build`;
// the bin/ shim (which imports dist/) gets a smoke test only when dist/credential-helper.js exists.
// Each step starts its own session; items persist between sessions in XDG_DATA_HOME/keyrings.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const tsxLoader = import.meta.resolve('tsx');
const root = mkdtempSync(join(tmpdir(), 'regctl-keychain-'));
after(() => rmSync(root, { recursive: true, force: true }));

const bin = join(root, 'bin');
mkdirSync(bin);
writeFileSync(join(bin, 'docker-credential-regctl'), `#!/bin/sh\nexec "${process.execPath}" --import "${tsxLoader}" "${join(repo, 'src', 'credential-helper.ts')}" "$@"\n`, { mode: 0o755 });

/** An environment with no D-Bus session and no X display: only PATH, HOME and a private XDG_DATA_HOME. */
function baseEnv(xdg: string): Record<string, string> {
  return { PATH: `${bin}:${process.env['PATH']}`, HOME: root, XDG_DATA_HOME: xdg, LANG: 'C' };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Runs a command inside a fresh D-Bus session with gnome-keyring's Secret Service unlocked. */
function inSession(xdg: string, cmd: string[], stdin = ''): Promise<Run> {
  const script = 'echo pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"';
  return run('dbus-run-session', ['--', 'sh', '-c', script, 'sh', ...cmd], baseEnv(xdg), stdin);
}

const helper = (action: string) => ['docker-credential-regctl', action];

describe('docker-credential-regctl with gnome-keyring', () => {
  const xdg = join(root, 'xdg');

  test('store, get, list, erase round trip', async () => {
    const store = await inSession(xdg, helper('store'), JSON.stringify({ ServerURL: 'https://index.docker.io/v1/', Username: 'alice', Secret: 'hub-s3cret' }));
    assert.equal(store.code, 0, store.stdout + store.stderr);
    assert.equal(store.stdout, '');
    const store2 = await inSession(xdg, helper('store'), JSON.stringify({ ServerURL: 'localhost:5000', Username: '<token>', Secret: 'refresh-tok' }));
    assert.equal(store2.code, 0, store2.stdout);

    const get = await inSession(xdg, helper('get'), 'https://index.docker.io/v1/\n');
    assert.equal(get.code, 0, get.stdout + get.stderr);
    assert.deepEqual(JSON.parse(get.stdout), { ServerURL: 'https://index.docker.io/v1/', Username: 'alice', Secret: 'hub-s3cret' });

    const list = await inSession(xdg, helper('list'));
    assert.equal(list.code, 0, list.stdout);
    assert.deepEqual(JSON.parse(list.stdout), { 'https://index.docker.io/v1/': 'alice', 'localhost:5000': '<token>' });

    // store again replaces
    await inSession(xdg, helper('store'), JSON.stringify({ ServerURL: 'localhost:5000', Username: 'bob', Secret: 'pw2' }));
    assert.deepEqual(JSON.parse((await inSession(xdg, helper('get'), 'localhost:5000')).stdout), { ServerURL: 'localhost:5000', Username: 'bob', Secret: 'pw2' });

    const erase = await inSession(xdg, helper('erase'), 'localhost:5000');
    assert.equal(erase.code, 0, erase.stdout);
    const gone = await inSession(xdg, helper('get'), 'localhost:5000');
    assert.equal(gone.code, 1);
    assert.equal(gone.stdout.trim(), 'credentials not found in native keychain');
    assert.deepEqual(JSON.parse((await inSession(xdg, helper('list'))).stdout), { 'https://index.docker.io/v1/': 'alice' });
  });

  test('get and erase of an unknown server: "credentials not found in native keychain", exit 1', async () => {
    const get = await inSession(xdg, helper('get'), 'never.example');
    assert.equal(get.code, 1);
    assert.equal(get.stdout, 'credentials not found in native keychain\n');
    const erase = await inSession(xdg, helper('erase'), 'never.example');
    assert.equal(erase.code, 1);
    assert.equal(erase.stdout, 'credentials not found in native keychain\n');
  });

  test('protocol errors are one line, exit 1', async () => {
    const bad = await inSession(xdg, helper('store'), 'not json');
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout.trim().split('\n').length, 1);
    assert.match(bad.stdout, /expected JSON/);
    const noUrl = await inSession(xdg, helper('get'), '');
    assert.equal(noUrl.stdout.trim(), 'no credentials server URL');
    const usage = await run('docker-credential-regctl', ['frobnicate'], baseEnv(xdg));
    assert.equal(usage.code, 1);
    assert.match(usage.stdout, /^Usage: docker-credential-regctl <store\|get\|erase\|list\|version>\n$/);
    const version = await run('docker-credential-regctl', ['version'], baseEnv(xdg));
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^docker-credential-regctl \(regctl\) \d+\.\d+\.\d+/);
  });

  test('outside a D-Bus session: one-line "keychain not available", exit 1, no stack trace, no secret', async () => {
    const env = baseEnv(join(root, 'xdg-none'));
    assert.equal(env['DBUS_SESSION_BUS_ADDRESS'], undefined);
    assert.equal(env['DISPLAY'], undefined);
    const r = await run('docker-credential-regctl', ['store'], env, JSON.stringify({ ServerURL: 'r.example', Username: 'u', Secret: 'do-not-print' }));
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'OS keychain not available (no D-Bus session / Secret Service)\n');
    assert.equal(r.stderr, '');
    assert.ok(!/\bat |do-not-print/.test(r.stdout + r.stderr));
    const list = await run('docker-credential-regctl', ['list'], env);
    assert.equal(list.code, 1);
    assert.equal(list.stdout, 'OS keychain not available (no D-Bus session / Secret Service)\n');
  });

  test('CredentialStore.save({keychain: true}) stores through docker-credential-regctl and points credHelpers at it', async () => {
    const home = join(root, 'home-e2e');
    mkdirSync(join(home, '.docker'), { recursive: true });
    const cfgPath = join(home, '.docker', 'config.json');
    writeFileSync(cfgPath, JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: Buffer.from('old:plain').toString('base64') } }, keep: 'me' }));
    const storeUrl = new URL('../src/auth/store.ts', import.meta.url).href;
    const driver = join(root, 'driver.mjs');
    writeFileSync(
      driver,
      `const { CredentialStore } = await import(${JSON.stringify(storeUrl)});
const s = new CredentialStore({ env: process.env, homedir: ${JSON.stringify(home)} });
const [op, reg] = process.argv.slice(2);
try {
  let out;
  if (op === 'save') out = await s.save(reg, { username: 'kc-user', password: 'kc-pass' }, { keychain: true });
  if (op === 'get') out = (await s.get(reg)) ?? null;
  if (op === 'erase') out = await s.erase(reg);
  process.stdout.write(JSON.stringify(out));
} catch (e) { process.stdout.write(JSON.stringify({ error: e.message, code: e.code, hint: e.hint })); }
`,
    );
    const node = [process.execPath, '--import', tsxLoader, driver];
    const saved = await inSession(xdg, [...node, 'save', 'docker.io']);
    assert.deepEqual(JSON.parse(saved.stdout), { location: 'credential helper docker-credential-regctl', plaintext: false }, saved.stderr);
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    assert.deepEqual(cfg, { auths: { 'https://index.docker.io/v1/': {} }, keep: 'me', credHelpers: { 'https://index.docker.io/v1/': 'regctl' } });
    assert.deepEqual(JSON.parse((await inSession(xdg, [...node, 'get', 'docker.io'])).stdout), { username: 'kc-user', password: 'kc-pass' });
    assert.equal(JSON.parse((await inSession(xdg, [...node, 'erase', 'docker.io'])).stdout), true);
    assert.equal(JSON.parse((await inSession(xdg, [...node, 'get', 'docker.io'])).stdout), null);
    assert.equal(JSON.parse((await inSession(xdg, [...node, 'erase', 'docker.io'])).stdout), false);
    assert.equal(JSON.parse(readFileSync(cfgPath, 'utf8')).credHelpers['https://index.docker.io/v1/'], 'regctl', 'credHelpers entry kept, like docker logout');

    // without a session: a clear error, and config.json untouched
    const before = readFileSync(cfgPath, 'utf8');
    const r = await run(process.execPath, ['--import', tsxLoader, driver, 'save', 'localhost:5000'], { ...baseEnv(xdg), HOME: home });
    const err = JSON.parse(r.stdout) as { error: string; code: string; hint: string };
    assert.equal(err.code, 'ERR_KEYCHAIN_UNAVAILABLE');
    assert.equal(err.error, 'OS keychain not available (no D-Bus session / Secret Service)');
    assert.match(err.hint, /without option keychain/);
    assert.equal(readFileSync(cfgPath, 'utf8'), before);
  });

  test('bin/docker-credential-regctl.js shim (needs npm run build)', { skip: !existsSync(join(repo, 'dist', 'credential-helper.js')) && 'dist/ not built' }, async () => {
    const r = await run(process.execPath, [join(repo, 'bin', 'docker-credential-regctl.js'), 'version'], baseEnv(xdg));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^docker-credential-regctl \(regctl\) /);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startPassStore, type PassStore } from './helpers/pass-store.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, spawnCapture, type CliResult, type TestEnv } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

const REPO = resolve(import.meta.dirname, '..');
const PASSWORD = 'hunter2-secret';

describe('login/logout through credential helpers', () => {
  let reg: RegistryHandle;
  let image: SeededImage;
  let store: PassStore;
  let binDir: string;

  before(async () => {
    reg = await startRegistry({ auth: 'htpasswd', users: { alice: PASSWORD } });
    image = await seedImage({ url: reg.url, authHeader: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}` }, 'alice/app', '1');
    store = await startPassStore();
    // What `npm install -g` puts on PATH: docker-credential-regctl next to regctl.
    binDir = await mkdtemp(join(tmpdir(), 'regctl-bin-'));
    await symlink(join(REPO, 'bin', 'docker-credential-regctl.js'), join(binDir, 'docker-credential-regctl'));
    await symlink(join(REPO, 'bin', 'regctl.cjs'), join(binDir, 'regctl'));
  });
  after(async () => {
    await reg.stop();
    store.stop();
    await rm(binDir, { recursive: true, force: true });
  });

  test('credsStore pass: login stores in pass (not in config.json), reads work, logout erases', async () => {
    const home = await makeHome(undefined, store.env);
    try {
      await writeFile(home.dockerConfig, JSON.stringify({ credsStore: 'pass', psFormat: 'table {{.ID}}' }));
      const login = await runCli(['login', reg.host, '-u', 'alice', '--password-stdin'], home.env, PASSWORD);
      assert.equal(login.code, 0, login.stderr);
      assert.doesNotMatch(login.stderr, /unencrypted/);
      const text = await readFile(home.dockerConfig, 'utf8');
      assert.ok(!text.includes(PASSWORD));
      assert.equal(JSON.parse(text).psFormat, 'table {{.ID}}', 'unknown keys kept');
      const raw = await store.raw('get', reg.host);
      assert.equal(raw.code, 0);
      assert.deepEqual(JSON.parse(raw.stdout), { ServerURL: reg.host, Username: 'alice', Secret: PASSWORD });

      const d = await runCli(['digest', `${reg.host}/alice/app:1`], home.env);
      assert.equal(d.stdout, `${image.digest}\n`, d.stderr);

      const out = await runCli(['logout', reg.host], home.env);
      assert.equal(out.code, 0, out.stderr);
      const gone = await store.raw('get', reg.host);
      assert.ok(gone.code !== 0 || JSON.parse(gone.stdout).Secret === '', 'erased from pass');
      assert.equal((await runCli(['digest', `${reg.host}/alice/app:1`], home.env)).code, 4);
    } finally {
      await home.cleanup();
    }
  });

  /** Runs a shell script with regctl and docker-credential-regctl on PATH, optionally in a D-Bus session with an unlocked gnome-keyring. */
  function shell(script: string, env: TestEnv, dbus: boolean): Promise<CliResult> {
    const unlock = 'echo pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; ';
    const [cmd, argv]: [string, string[]] = dbus ? ['dbus-run-session', ['--', 'sh', '-c', unlock + script]] : ['sh', ['-c', script]];
    return spawnCapture(cmd, argv, { ...env, PATH: `${binDir}:${env.PATH}` });
  }

  test('--keychain: stored in the OS keychain via docker-credential-regctl and recorded in credHelpers', async () => {
    const home = await makeHome();
    const pwFile = join(home.dir, 'pw');
    await writeFile(pwFile, PASSWORD);
    const env = { ...home.env, XDG_DATA_HOME: join(home.dir, 'xdg') };
    try {
      // One D-Bus session for every step, so the keyring lives across the commands.
      const r = await shell([
        `regctl login ${reg.host} -u alice --password-stdin --keychain < ${pwFile}; echo "login=$?"`,
        `cp "$DOCKER_CONFIG/config.json" "$DOCKER_CONFIG/after-login.json"`,
        `regctl digest ${reg.host}/alice/app:1; echo "digest=$?"`,
        `printf %s ${reg.host} | docker-credential-regctl get; echo; echo "get=$?"`,
        `regctl logout ${reg.host}; echo "logout=$?"`,
        `printf %s ${reg.host} | docker-credential-regctl get; echo "after=$?"`,
      ].join('\n'), env, true);
      assert.match(r.stdout, /^Login Succeeded\nlogin=0$/m, r.stderr);
      assert.doesNotMatch(r.stderr, /unencrypted/);
      assert.match(r.stdout, new RegExp(`^${image.digest}\\ndigest=0$`, "m"), r.stderr);
      assert.match(r.stdout, /"Username":"alice"/);
      assert.match(r.stdout, /^get=0$/m);
      assert.match(r.stdout, /^logout=0$/m);
      assert.match(r.stdout, /credentials not found in native keychain\s*after=1/);
      const cfg = await readFile(join(home.env.DOCKER_CONFIG!, 'after-login.json'), 'utf8');
      assert.equal(JSON.parse(cfg).credHelpers[reg.host], 'regctl');
      assert.ok(!cfg.includes(PASSWORD));
    } finally {
      await home.cleanup();
    }
  });

  test('--keychain without a D-Bus session: exit 1, one clear line, nothing stored', async () => {
    const home = await makeHome();
    try {
      const r = await shell(`printf %s '${PASSWORD}' | regctl login ${reg.host} -u alice --password-stdin --keychain`, home.env, false);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^regctl: OS keychain not available \(no D-Bus session \/ Secret Service\)/m);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.ok(!r.stderr.includes(PASSWORD));
      const cfg = await readFile(home.dockerConfig, 'utf8').catch(() => '{}');
      assert.equal(JSON.parse(cfg).credHelpers?.[reg.host], undefined);
    } finally {
      await home.cleanup();
    }
  });
});

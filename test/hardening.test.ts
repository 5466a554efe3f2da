import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AuthError, createContext, digest, NetworkError, RegistryError } from '../src/index.js';
import { listNames } from '../src/registry/paging.js';
import { fsError } from '../src/util/fs-error.js';
import { startHostile, startRealmRecorder, tarHeader, writeGzipBomb, writeGzipTar, type HostileOptions, type Scenario } from './helpers/hostile-server.js';
import { hex, makeImage, makeLayer, tarOf } from './helpers/images.js';
import { makeHome, runBin, runCli, type CliResult } from './helpers/run-cli.js';
import { testCA } from './helpers/tls.js';

/** Runs the CLI against a hostile scenario; `args` gets HOST for the server's host. */
async function against(scenario: Scenario, args: string[], opts: HostileOptions = {}) {
  const server = await startHostile(scenario, opts);
  const home = await makeHome();
  try {
    const r = await runCli(args.map((a) => a.replace('HOST', server.host)), home.env);
    return { r, server };
  } finally {
    await server.stop();
    await home.cleanup();
  }
}

/** No user-caused failure may read as a bug. */
function noInternalError(r: CliResult): void {
  assert.doesNotMatch(r.stderr, /internal error/i, r.stderr);
  assert.match(r.stderr, /^regctl: /m);
}

describe('hostile servers: nothing hangs', () => {
  test('a body that drips one byte every 2 s: --timeout 2s ends inspect with exit 5', async () => {
    const { r } = await against('slow-body', ['--timeout', '2s', 'inspect', 'HOST/app:1']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /time limit of 2s ran out/);
    noInternalError(r);
  });

  test('a body that drips: the idle timeout (1 s) fails it as a network error, retried', async () => {
    const server = await startHostile('slow-body');
    const home = await makeHome();
    const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process, timeouts: { idleMs: 1000 } });
    try {
      await assert.rejects(digest(`${server.host}/app:1`, { context: ctx, verify: true }), (err: unknown) => err instanceof NetworkError && err.code === 'ERR_TIMEOUT');
      assert.equal(server.requests.filter((q) => q.startsWith('GET /v2/app/manifests/')).length, 3, 'asked again after each idle timeout');
    } finally {
      await ctx.transport.close();
      await server.stop();
      await home.cleanup();
    }
  });

  test('a server that never sends headers: --timeout 2s, exit 5', async () => {
    const { r } = await against('no-headers', ['--timeout', '2s', 'digest', 'HOST/app:1']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /time limit of 2s ran out/, 'the command\'s time limit ended it, not the 60 s headers timeout');
    noInternalError(r);
  });

  test('a server that never sends headers: the headers timeout (1 s) is a network error', async () => {
    const server = await startHostile('no-headers');
    const home = await makeHome();
    const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process, timeouts: { headersMs: 1000 }, timeoutMs: 2500 });
    try {
      await assert.rejects(digest(`${server.host}/app:1`, { context: ctx }), (err: unknown) => err instanceof NetworkError && err.code === 'ERR_TIMEOUT');
      assert.ok(server.requests.filter((q) => q.includes('/manifests/')).length >= 2, 'a headers timeout is retried');
    } finally {
      await ctx.transport.close();
      await server.stop();
      await home.cleanup();
    }
  });

  test('--timeout rejects a value that is not a duration (exit 2)', async () => {
    const home = await makeHome();
    const r = await runCli(['--timeout', 'soon', 'digest', 'localhost:5000/x'], home.env);
    await home.cleanup();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--timeout: "soon" is not a duration/);
  });
});

describe('hostile servers: paging', () => {
  test('a Link chain with new names forever stops at the page cap with exit 1', async () => {
    const server = await startHostile('endless-link');
    const home = await makeHome();
    const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process });
    try {
      const client = await ctx.transport.client(server.host);
      await assert.rejects(
        listNames(client, '/v2/app/tags/list?n=2', [], 'listing tags', 'tags', 'tag', { maxPages: 50, maxNames: 1000 }),
        (err: unknown) => err instanceof RegistryError && err.exitCode === 1 && /kept sending more pages \(over 50 pages\)/.test(err.message),
      );
      assert.equal(server.requests.filter((q) => q.includes('/tags/list')).length, 50);
    } finally {
      await ctx.transport.close();
      await server.stop();
      await home.cleanup();
    }
  });

  test('a Link chain that repeats its page under new URLs stops after the repeat, no duplicates', async () => {
    const { r, server } = await against('endless-link', ['tags', 'HOST/app'], { sameBody: true });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'a\nb\n');
    assert.equal(server.requests.filter((q) => q.includes('/tags/list')).length, 2);
  });

  test('a Link back to page 1 with its query reordered: each tag once', async () => {
    const { r, server } = await against('link-back', ['tags', 'HOST/app']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'a\nb\nc\n');
    assert.equal(server.requests.filter((q) => q.includes('/tags/list')).length, 2);
  });
});

describe('hostile servers: credentials stay home', () => {
  async function realmCase(realm: (recorder: string) => string) {
    const ca = await testCA();
    const recorder = await startRealmRecorder();
    const server = await startHostile('realm', { tls: { cert: await readFile(ca.serverCert, 'utf8'), key: await readFile(ca.serverKey, 'utf8') }, realm: realm(recorder.url) });
    const home = await makeHome();
    const certs = await mkdtemp(join(tmpdir(), 'certs-d-'));
    await mkdir(join(certs, server.host));
    await writeFile(join(certs, server.host, 'ca.crt'), await readFile(join(ca.dir, 'ca.crt')));
    const auth = Buffer.from('alice:the-password').toString('base64');
    const env = { ...home.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [server.host]: { auth } } }) };
    const ctx = await createContext({ env, homedir: home.dir, runtime: process, certsDirs: [certs] });
    try {
      const err = await digest(`${server.host}/app:1`, { context: ctx }).then(() => undefined, (e: unknown) => e);
      return { err, seen: recorder.seen };
    } finally {
      await ctx.transport.close();
      await server.stop();
      await recorder.stop();
      await rm(certs, { recursive: true, force: true });
      await home.cleanup();
    }
  }

  test('an https registry naming an http:// realm: refused with exit 4, the password never sent', async () => {
    const { err, seen } = await realmCase((url) => url);
    assert.ok(err instanceof AuthError, String(err));
    assert.equal(err.exitCode, 4);
    assert.match(err.message, /over plain http to http:\/\/127\.0\.0\.1:\d+\/token: refused/);
    assert.deepEqual(seen, []);
  });

  test('a realm on a link-local (metadata) address: refused with exit 4', async () => {
    const { err, seen } = await realmCase(() => 'https://169.254.169.254/latest/token');
    assert.ok(err instanceof AuthError, String(err));
    assert.match(err.message, /link-local address/);
    assert.deepEqual(seen, []);
  });
});

describe('hostile servers: the right error and exit code', () => {
  test('connection closed mid-body: retried, then exit 5 (not an internal error)', async () => {
    const { r, server } = await against('mid-body-close', ['inspect', 'HOST/app:1']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /closed unexpectedly/);
    assert.equal(server.requests.filter((q) => q.startsWith('GET /v2/app/manifests/')).length, 3);
    noInternalError(r);
  });

  test('a blob served complete but short: exit 6 after one request', async () => {
    const { r, server } = await against('short-blob', ['pull', '-q', 'HOST/app:1']);
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /size mismatch/);
    assert.equal(server.requests.filter((q) => q.includes('/blobs/sha256:') && q.startsWith('GET') && !q.includes('config')).length <= 2, true);
    const layerGets = server.requests.filter((q) => q.startsWith('GET') && q.includes('/blobs/')).length;
    assert.ok(layerGets <= 2, `blob GETs: ${layerGets}`); // config + layer, no retries
    noInternalError(r);
  });

  test('a redirect to file:// is "redirected to an unsupported URL", exit 1', async () => {
    const { r } = await against('redirect-file', ['inspect', 'HOST/app:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /redirected to an unsupported URL \(file: scheme\)/);
    noInternalError(r);
  });

  test('a port out of range parses (as distribution) but is refused when connecting, exit 2', async () => {
    const home = await makeHome();
    const r = await runCli(['inspect', '127.0.0.1:99999/x'], home.env);
    await home.cleanup();
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid port 99999/);
    noInternalError(r);
  });

  test('digest trusts the HEAD header; --verify and IMAGE@sha256: hash the manifest (exit 6 on a lie)', async () => {
    const server = await startHostile('lying-digest');
    const home = await makeHome();
    try {
      const plain = await runCli(['digest', `${server.host}/app:1`], home.env);
      assert.equal(plain.code, 0);
      assert.notEqual(plain.stdout.trim(), server.digest, 'without --verify the header is taken as it is');
      const verified = await runCli(['digest', '--verify', `${server.host}/app:1`], home.env);
      assert.equal(verified.code, 6, verified.stderr);
      assert.match(verified.stderr, /manifest digest mismatch/);
      noInternalError(verified);
      const other = `sha256:${'ab'.repeat(32)}`;
      const byDigest = await runCli(['digest', `${server.host}/app@${other}`], home.env);
      assert.equal(byDigest.code, 6, byDigest.stderr);
      noInternalError(byDigest);
    } finally {
      await server.stop();
      await home.cleanup();
    }
  });

  test('a file-system failure names the path and gives a hint (no internal error)', () => {
    const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', path: '/tmp/x/blob' });
    const mapped = fsError(err);
    assert.equal(mapped?.message, 'cannot write /tmp/x/blob: no space left on the device');
    assert.equal(mapped?.exitCode, 1);
    assert.match(mapped?.hint ?? '', /free some space/);
  });
});

describe('hostile archives', () => {
  /** Runs `load -i archive` with TMPDIR in `home`, sampling the scratch directory's size on disk meanwhile. */
  async function loadMeasured(archive: string, home: Awaited<ReturnType<typeof makeHome>>, env: Record<string, string> = {}) {
    const scratch = join(home.dir, 'tmp');
    await mkdir(scratch, { recursive: true });
    let peak = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        peak = Math.max(peak, await du(scratch));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    try {
      const r = await runCli(['load', '-i', archive], { ...home.env, TMPDIR: scratch, ...env });
      return { ...r, peak };
    } finally {
      polling = false;
      await poll;
    }
  }

  test('a 3 GiB gzip bomb: load refuses it (exit 6) having written under 1% of it', async () => {
    const home = await makeHome();
    const bomb = join(home.dir, 'bomb.tar.gz');
    const size = 3 * 1024 ** 3;
    await writeGzipBomb(bomb, size);
    try {
      const r = await loadMeasured(bomb, home);
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /expands more than 100 times its compressed size/);
      noInternalError(r);
      assert.ok(r.peak < size / 100, `peak on disk ${r.peak} bytes`);
    } finally {
      await home.cleanup();
    }
  });

  /** A small OCI image archive (index.json naming `docker.io/library/app:1`), the image's tar entries apart. */
  async function appImage() {
    const layer = await makeLayer([{ name: 'hello', body: 'hello\n' }]);
    const img = makeImage([layer]);
    const index = { schemaVersion: 2, manifests: [{ ...img.desc, annotations: { 'io.containerd.image.name': 'docker.io/library/app:1' } }] };
    const blob = (d: { digest: string }, body: Buffer) => ({ name: `blobs/sha256/${hex(d.digest)}`, body });
    return {
      layer,
      metadata: [
        { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
        blob(img.configDesc, img.config),
        blob(img.desc, img.manifest),
        { name: 'index.json', body: JSON.stringify(index) },
      ],
      layerEntry: blob(layer.desc, layer.blob),
    };
  }

  test('an entry no manifest refers to is read past, never written: the image loads', async () => {
    const home = await makeHome();
    const size = 1024 ** 3;
    const archive = join(home.dir, 'padded.tar.gz');
    const app = await appImage();
    // First in the tar, named like a blob: a single pass could not know that nothing refers to it.
    const junk = [tarHeader(`blobs/sha256/${'0'.repeat(64)}`, size), size, Buffer.alloc(512 - (size % 512 || 512))];
    await writeGzipTar(archive, [...junk, await tarOf([app.layerEntry, ...app.metadata])]);
    try {
      const r = await loadMeasured(archive, home, { REGCTL_MAX_EXPANSION_RATIO: '100000' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /app:1/);
      assert.ok(r.peak < size / 1000, `peak on disk ${r.peak} bytes`);
      const images = await runCli(['images'], home.env);
      assert.match(images.stdout, /app\s+1/);
    } finally {
      await home.cleanup();
    }
  });

  test('a layer entry larger than its descriptor declares is refused (exit 6), nothing of it written', async () => {
    const home = await makeHome();
    const size = 512 * 1024 ** 2;
    const archive = join(home.dir, 'swollen.tar.gz');
    const app = await appImage();
    const swollen = [tarHeader(app.layerEntry.name, size), size, Buffer.alloc(512 - (size % 512 || 512))];
    await writeGzipTar(archive, [...swollen, await tarOf(app.metadata)]);
    try {
      const r = await loadMeasured(archive, home, { REGCTL_MAX_EXPANSION_RATIO: '100000' });
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, new RegExp(`holds ${size} bytes, its descriptor declares ${app.layer.desc.size}`));
      noInternalError(r);
      assert.ok(r.peak < 1024 * 1024, `peak on disk ${r.peak} bytes`);
      const images = await runCli(['images'], home.env);
      assert.doesNotMatch(images.stdout, /app/);
    } finally {
      await home.cleanup();
    }
  });
});

describe('config.json under parallel logins', () => {
  async function loginServers(n: number): Promise<{ hosts: string[]; stop(): Promise<void> }> {
    const servers: Server[] = [];
    for (let i = 0; i < n; i++) {
      const s = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      servers.push(s);
    }
    return {
      hosts: servers.map((s) => `127.0.0.1:${(s.address() as AddressInfo).port}`),
      stop: async () => void (await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))),
    };
  }

  test('ten parallel logins to different registries keep ten entries, 20 runs of 20', async () => {
    const { hosts, stop } = await loginServers(10);
    try {
      for (let run = 0; run < 20; run++) {
        const home = await makeHome();
        const results = await Promise.all(hosts.map((h) => runCli(['login', '-u', 'u', '--password-stdin', h], home.env, `pw-${h}\n`)));
        for (const r of results) assert.equal(r.code, 0, r.stderr);
        const cfg = JSON.parse(await readFile(home.dockerConfig, 'utf8')) as { auths: Record<string, unknown> };
        assert.deepEqual(Object.keys(cfg.auths).sort(), [...hosts].sort(), `run ${run}`);
        await home.cleanup();
      }
    } finally {
      await stop();
    }
  });

  test('ten parallel login processes keep ten entries', async () => {
    const { hosts, stop } = await loginServers(10);
    const home = await makeHome();
    try {
      const results = await Promise.all(hosts.map((h) => runBin(['login', '-u', 'u', '--password-stdin', h], home.env, `pw-${h}\n`)));
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      const cfg = JSON.parse(await readFile(home.dockerConfig, 'utf8')) as { auths: Record<string, unknown> };
      assert.deepEqual(Object.keys(cfg.auths).sort(), [...hosts].sort());
      assert.deepEqual((await readdir(join(home.dir, '.docker'))).filter((f) => f.includes('lock')), [], 'the lock is released');
    } finally {
      await stop();
      await home.cleanup();
    }
  });
});

async function du(dir: string): Promise<number> {
  let total = 0;
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch {
    return 0;
  }
  for (const n of names) total += await stat(join(dir, n)).then((s) => (s.isFile() ? s.blocks * 512 : 0), () => 0);
  return total;
}

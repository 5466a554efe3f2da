// Issue 18: everything a registry sends is untrusted. Each test puts a hostile fixture (test/helpers/hostile-server.ts,
// or a proxy in front of the real registry) where a registry would be and asserts what the user would notice.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { AuthError, NetworkError } from '../src/index.js';
import { createContext } from '../src/ops/create-context.js';
import { digest } from '../src/ops/digest.js';
import { sync } from '../src/ops/sync.js';
import { repositoryJob } from '../src/ops/sync-jobs.js';
import { HOSTILE_TAGS, startHostile, startRealmRecorder, startSilent, stubLookup, TERMINAL_ATTACK } from './helpers/hostile-server.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry } from './helpers/registry.js';
import { makeHome, runCli } from './helpers/run-cli.js';
import { hex, makeImage, makeLayer, tarOf } from './helpers/images.js';
import { runInPty } from './helpers/pty.js';
import { seedImage, tarLayer } from './helpers/seed.js';
import { testCA } from './helpers/tls.js';

const execFileAsync = promisify(execFile);
const BIN = fileURLToPath(new URL('../bin/regctl.cjs', import.meta.url));
/** The digest a tag has, as skopeo (not regctl) reads it. */
const skopeoDigest = async (ref: string) =>
  (await execFileAsync('skopeo', ['inspect', '--tls-verify=false', '--no-tags', '--format', '{{.Digest}}', `docker://${ref}`])).stdout.trim();
/** Requests outside `/v2/` (the ping) and `/v2/<repo>/`. */
const outside = (requests: string[], repo: string) =>
  requests.filter((q) => !/^[A-Z]+ \/v2\/(?:\?|$)/.test(q) && !q.split(' ')[1]!.startsWith(`/v2/${repo}/`));

describe('names from a registry are validated before use', () => {
  for (const args of [['sync'], ['copy', '--all-tags']]) {
    test(`${args.join(' ')}: a tag list naming another repository leaves it untouched; the valid tag is copied, the rest skipped with a warning`, async () => {
      const [source, registry, home] = await Promise.all([startHostile('tag-list'), startRegistry(), makeHome()]);
      try {
        const victim = await seedImage({ url: registry.url }, 'victim', 'orig');
        const r = await runCli([...args, `${source.host}/app`, `${registry.host}/mirror`], home.env);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(await skopeoDigest(`${registry.host}/victim:orig`), victim.digest, 'victim:orig was overwritten');
        assert.equal(await skopeoDigest(`${registry.host}/mirror:1`), source.digest);
        assert.deepEqual(outside(source.requests, 'app'), []);
        for (const tag of ['../../victim/manifests/orig', '../../../etc']) assert.ok(r.stderr.includes(`invalid tag ${JSON.stringify(tag)}`), r.stderr);
        assert.match(r.stderr, /invalid tag "x{77}\.\.\."/);
        assert.ok(!r.stderr.includes('\u001b') && !r.stderr.includes('\u202e'), 'a control character reached the terminal');
      } finally {
        await Promise.all([source.stop(), registry.stop(), home.cleanup()]);
      }
    });
  }

  test('property: for any tag list, sync requests only paths under the source and destination repositories', async () => {
    const registry = await startRegistry();
    const proxy = await startProxy(registry.url);
    const home = await makeHome();
    const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process });
    const hostileTag = fc.oneof(
      fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,10}$/),
      fc.constantFrom(...HOSTILE_TAGS, '..', '.', '%2e%2e', '..%2f..%2fvictim', 'a/../../b', 'a?b', 'a#b', '', 'tags/list'),
      fc.array(fc.constantFrom('..', '.', '/', 'victim', 'manifests', '%2e', '%2F', '\\', 'a'), { maxLength: 8 }).map((parts) => parts.join('')),
      fc.string({ maxLength: 20, unit: 'binary' }),
    );
    try {
      await fc.assert(fc.asyncProperty(fc.array(hostileTag, { maxLength: 6 }), async (tags) => {
        const source = await startHostile('tag-list', { tags });
        proxy.requests.length = 0;
        try {
          await sync(ctx, [repositoryJob(`${source.host}/app`, `${proxy.host}/mirror`)], { keepGoing: true });
        } finally {
          await source.stop();
        }
        assert.deepEqual(outside(source.requests, 'app'), [], `tags ${JSON.stringify(tags)}`);
        assert.deepEqual(outside(proxy.requests, 'mirror'), [], `tags ${JSON.stringify(tags)}`);
      }), { numRuns: 25 });
    } finally {
      await ctx.transport.close();
      await Promise.all([proxy.stop(), registry.stop(), home.cleanup()]);
    }
  });
});

describe('text from a registry never drives the terminal', () => {
  const raw = /[\u001b\u0007\u009b\u202e]/;

  test('inspect: env, labels and annotations are shown with control characters escaped; --format json keeps them exact', async () => {
    const server = await startHostile('terminal-text');
    const home = await makeHome();
    try {
      const text = await runCli(['inspect', `${server.host}/app:1`], home.env);
      assert.equal(text.code, 0, text.stderr);
      assert.doesNotMatch(text.stdout, raw);
      assert.ok(text.stdout.includes('A=\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202eevil'), text.stdout);
      assert.ok(text.stdout.includes('note=\\x1b[2J'), text.stdout);
      const json = await runCli(['inspect', '--format', 'json', `${server.host}/app:1`], home.env);
      assert.equal(json.code, 0, json.stderr);
      const doc = JSON.parse(json.stdout) as { annotations: Record<string, string>; image: { env: string[] } };
      assert.equal(doc.annotations.note, TERMINAL_ATTACK);
      assert.deepEqual(doc.image.env, [`A=${TERMINAL_ATTACK}`]);
    } finally {
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });

  test("an error body's message reaches stderr escaped", async () => {
    const server = await startHostile('terminal-text');
    const home = await makeHome();
    try {
      const r = await runCli(['inspect', `${server.host}/app:missing`], home.env);
      assert.equal(r.code, 3, r.stderr);
      assert.doesNotMatch(r.stderr, raw);
      assert.ok(r.stderr.includes('\\x1b]0;pwned\\x07'), r.stderr);
    } finally {
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });
});

describe('outbound addresses are checked after name resolution', () => {
  /** digest of a registry whose token realm is `realm`, with Basic credentials for it, names resolved by `names`. */
  async function throughRealm(realm: (recorderPort: number) => string, names: Record<string, string>, recorderOpts: Parameters<typeof startRealmRecorder>[0] = {}, config?: (recorderPort: number) => object) {
    const recorder = await startRealmRecorder(recorderOpts);
    const server = await startHostile('realm', { realm: realm(recorder.port) });
    const home = await makeHome(config?.(recorder.port));
    const auth = Buffer.from('alice:the-password').toString('base64');
    const env = { ...home.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [server.host]: { auth } } }) };
    const ctx = await createContext({ env, homedir: home.dir, runtime: process, noCache: true, network: { dnsLookup: stubLookup(names) } });
    try {
      const err = await digest(ctx, `${server.host}/app:1`).then(() => undefined, (e: unknown) => e);
      return { err, seen: recorder.seen };
    } finally {
      await ctx.transport.close();
      await Promise.all([server.stop(), recorder.stop(), home.cleanup()]);
    }
  }

  for (const address of ['169.254.169.254', 'fd00:ec2::254', 'fe80::1']) {
    test(`a realm whose name resolves to ${address} gets no connection (and no password)`, async () => {
      const { err, seen } = await throughRealm(() => 'https://metadata.test/latest/token', { 'metadata.test': address });
      assert.ok(err instanceof NetworkError && err.code === 'ERR_ADDRESS_REFUSED', String(err));
      assert.ok(err.message.includes(`link-local address ${address}`), err.message);
      assert.deepEqual(seen, []);
    });
  }

  test('a plain-http registry on loopback: its plain-http realm on another host gets no password', async () => {
    const { err, seen } = await throughRealm((port) => `http://auth.test:${port}/token`, { 'auth.test': '127.0.0.1' });
    assert.ok(err instanceof AuthError && err.code === 'ERR_REALM_REFUSED', String(err));
    assert.deepEqual(seen, []);
  });

  test("a realm on another https host is verified with that host's configured ca", async () => {
    const ca = await testCA();
    const tls = { cert: await readFile(ca.serverCert, 'utf8'), key: await readFile(ca.serverKey, 'utf8') };
    const { err, seen } = await throughRealm((port) => `https://127.0.0.1:${port}/token`, {}, { tls },
      (port) => ({ registries: { [`127.0.0.1:${port}`]: { ca: ca.caCert } } }));
    assert.ok(seen.length >= 1, `the realm was not reached: ${String(err)}`);
    assert.match(seen[0]!.authorization ?? '', /^Basic /);
  });

  test('--timeout ends a TLS handshake that never finishes (the connect timeout is far longer)', async () => {
    const silent = await startSilent();
    const home = await makeHome();
    const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process, noCache: true, timeoutMs: 1500, timeouts: { connectMs: 600_000 } });
    try {
      await assert.rejects(digest(ctx, `${silent.host}/app:1`), (err: unknown) => err instanceof NetworkError && err.code === 'ERR_TIMEOUT');
    } finally {
      await ctx.transport.close();
      await Promise.all([silent.stop(), home.cleanup()]);
    }
  });
});

describe('every walk ends, every input is bounded', () => {
  test('an endless chain of referrers: referrers stops at the depth limit with a clear error (exit 1)', async () => {
    const server = await startHostile('endless-referrers');
    const home = await makeHome();
    try {
      const r = await runCli(['referrers', `${server.host}/app:1`], home.env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /referrers of .*: stopped: it nests deeper than 16 levels/);
      assert.ok(server.requests.filter((q) => q.includes('/referrers/')).length <= 17, `${server.requests.length} requests`);
    } finally {
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });

  test('copy --referrers of an endless chain stops too', async () => {
    const server = await startHostile('endless-referrers');
    const home = await makeHome();
    try {
      const r = await runCli(['copy', '--referrers', `${server.host}/app:1`, `oci:${home.dir}/layout:1`], home.env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /stopped: it nests deeper than 16 levels/);
    } finally {
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });

  test('an index naming one child 3,000 times: the child is fetched once', async () => {
    const server = await startHostile('repeated-child');
    const home = await makeHome();
    try {
      const r = await runCli(['copy', `${server.host}/app:1`, `oci:${home.dir}/layout:1`], home.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(server.requests.filter((q) => q.includes(`/manifests/${server.digest}`)).length, 1, `${server.requests.length} requests`);
    } finally {
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });

  test('a manifest of 100,000 nested arrays is refused before it is parsed (exit 6)', async () => {
    const server = await startHostile('deep-json');
    const home = await makeHome();
    try {
      const r = await runCli(['inspect', `${server.host}/app:1`], home.env);
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /JSON nested deeper than 64 levels: refused/);
    } finally {
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });

  test('a sync file over 1 MiB is refused before it is parsed (exit 1)', async () => {
    const home = await makeHome();
    try {
      const file = join(home.dir, 'sync.yml');
      await writeFile(file, `127.0.0.1:5000:\n  images:\n${'    app: ["1"]\n'.repeat(80_000)}`);
      const r = await runCli(['sync', '--config', file, '127.0.0.1:5001'], home.env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /too large for a sync file/);
    } finally {
      await home.cleanup();
    }
  });
});

describe('defects new users hit in output', () => {
  test('digest of a plain-http port that is not a registry says so (no TLS blame, no CA hint)', async () => {
    const server = createServer((_req, res) => res.writeHead(404).end('404 page not found'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const home = await makeHome();
    try {
      const r = await runCli(['digest', `127.0.0.1:${(server.address() as AddressInfo).port}/x`], home.env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /is not a registry: GET \/v2\/ answered 404/);
      assert.doesNotMatch(r.stderr, /TLS|ca\.crt|"ca"/);
    } finally {
      server.close();
      await home.cleanup();
    }
  });

  test('a registry on another host that speaks plain http: said so, with the way to allow it', async () => {
    const server = await startHostile('tag-list');
    const home = await makeHome();
    const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process, noCache: true, network: { dnsLookup: stubLookup({ 'reg.test': '127.0.0.1' }) } });
    try {
      const port = server.host.split(':')[1];
      await assert.rejects(digest(ctx, `reg.test:${port}/app:1`), (err: unknown) =>
        err instanceof NetworkError && err.code === 'ERR_PLAIN_HTTP' && /reg\.test:\d+ speaks plain http/.test(err.message) && /option insecure/.test(err.hint ?? '') && err.host === `reg.test:${port}`);
    } finally {
      await ctx.transport.close();
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });

  test('progress on a terminal shorter than the blob list: every redraw fits the screen (10 rows, 20 layers)', async () => {
    const registry = await startRegistry();
    const home = await makeHome(undefined, { REGCTL_STORE: join(tmpdir(), `regctl-store-${randomBytes(4).toString('hex')}`), TERM: 'xterm' });
    try {
      const layers = Array.from({ length: 20 }, (_, i) => tarLayer({ [`f${i}`]: randomBytes(64 << 10) }));
      await seedImage({ url: registry.url }, 'many', '1', { layers });
      const r = await runInPty([process.execPath, BIN, 'pull', `${registry.host}/many:1`], home.env, [], { rows: 10, columns: 100 });
      assert.equal(r.code, 0, r.output);
      const ups = [...r.output.matchAll(/\u001b\[(\d+)F/g)].map((m) => Number(m[1]));
      assert.ok(ups.length > 0, `no redraw: ${JSON.stringify(r.output.slice(0, 500))}`);
      assert.ok(ups.every((n) => n <= 9), `a redraw of ${Math.max(...ups)} lines on a 10-row terminal`);
      assert.match(r.output, /… \d+ more blobs/);
    } finally {
      await Promise.all([registry.stop(), home.cleanup(), rm(home.env.REGCTL_STORE!, { recursive: true, force: true })]);
    }
  });

  test('a manifest larger than 8 MiB: the error names the image', async () => {
    const server = await startHostile('huge-manifest');
    const home = await makeHome();
    try {
      const r = await runCli(['inspect', `${server.host}/app:1`], home.env);
      assert.notEqual(r.code, 0);
      assert.ok(r.stderr.includes(`${server.host}/app:1: manifest is larger than 8388608 bytes`), r.stderr);
    } finally {
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });

  test('an invalid RepoTag inside an archive: a corrupt archive (exit 6), nothing loaded', async () => {
    const home = await makeHome();
    try {
      const layer = await makeLayer([{ name: 'hello', body: 'hello\n' }]);
      const img = makeImage([layer]);
      const blob = (d: { digest: string }, body: Buffer) => ({ name: `blobs/sha256/${hex(d.digest)}`, body });
      const manifest = [{ Config: `blobs/sha256/${hex(img.configDesc.digest)}`, RepoTags: ['app:1', 'Not/A Valid:tag!'], Layers: [`blobs/sha256/${hex(layer.desc.digest)}`] }];
      const archive = join(home.dir, 'bad-tag.tar');
      await writeFile(archive, await tarOf([blob(img.configDesc, img.config), blob(layer.desc, layer.blob), { name: 'manifest.json', body: JSON.stringify(manifest) }]));
      const r = await runCli(['load', '-i', archive], home.env);
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /invalid RepoTag "Not\/A Valid:tag!"/);
      assert.doesNotMatch((await runCli(['images'], home.env)).stdout, /app/);
    } finally {
      await home.cleanup();
    }
  });
});

describe('the local store keeps its promises on a full or read-only disk', () => {
  /** A tmpfs of `size` at a fresh mount point, unmounted by the returned stop. */
  async function smallDisk(size: string): Promise<{ dir: string; stop(): Promise<void> }> {
    const dir = await mkdtemp(join(tmpdir(), 'regctl-tmpfs-'));
    await execFileAsync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    return { dir, stop: async () => { await execFileAsync('umount', [dir]); await rm(dir, { recursive: true, force: true }); } };
  }
  /** Fills the file system of `dir` to the last byte. */
  async function fill(dir: string): Promise<void> {
    await execFileAsync('sh', ['-c', `dd if=/dev/zero of=${dir}/filler bs=64k 2>/dev/null; true`]);
  }

  test('a pull that fills the disk names the file, leaves no partial behind, and rmi still frees the disk', async () => {
    const [registry, disk] = await Promise.all([startRegistry(), smallDisk('2m')]);
    const home = await makeHome(undefined, { REGCTL_STORE: join(disk.dir, 'store') });
    try {
      await seedImage({ url: registry.url }, 'small', '1');
      await seedImage({ url: registry.url }, 'big', '1', { layers: [tarLayer({ a: randomBytes(3 << 20) })] });
      assert.equal((await runCli(['pull', '-q', `${registry.host}/small:1`], home.env)).code, 0);
      const big = await runCli(['pull', '-q', `${registry.host}/big:1`], home.env);
      assert.equal(big.code, 1, big.stderr);
      assert.match(big.stderr, /cannot write .*\/store\/blobs\/sha256\/[0-9a-f]{64}: no space left on the device/);
      const left = (await readdir(join(disk.dir, 'store', 'blobs', 'sha256'))).filter((n) => n.startsWith('.'));
      assert.deepEqual(left, [], 'a partial or temp file of the failed pull');
      await fill(disk.dir);
      const rmi = await runCli(['rmi', `${registry.host}/small:1`], home.env);
      assert.equal(rmi.code, 0, rmi.stderr);
      assert.doesNotMatch((await runCli(['images'], home.env)).stdout, /small/);
    } finally {
      await home.cleanup();
      await Promise.all([registry.stop(), disk.stop()]);
    }
  });

  test('a store on a read-only file system says so, not "no such file"', async () => {
    const [registry, disk] = await Promise.all([startRegistry(), smallDisk('2m')]);
    const home = await makeHome(undefined, { REGCTL_STORE: join(disk.dir, 'store') });
    try {
      await seedImage({ url: registry.url }, 'small', '1');
      await seedImage({ url: registry.url }, 'other', '1', { layers: [tarLayer({ b: 'other' })] });
      assert.equal((await runCli(['pull', '-q', `${registry.host}/small:1`], home.env)).code, 0);
      await execFileAsync('mount', ['-o', 'remount,ro', disk.dir]);
      const r = await runCli(['pull', '-q', `${registry.host}/other:1`], home.env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /read-only file system/);
      assert.doesNotMatch(r.stderr, /no such file/);
    } finally {
      await home.cleanup();
      await Promise.all([registry.stop(), disk.stop()]);
    }
  });

  test('a new store is private (0700, files 0600, blobs 0400); an existing store keeps its mode', async () => {
    const registry = await startRegistry();
    const home = await makeHome(undefined, { REGCTL_STORE: join(tmpdir(), `regctl-store-${randomBytes(4).toString('hex')}`) });
    const existing = await mkdtemp(join(tmpdir(), 'regctl-store-'));
    try {
      await seedImage({ url: registry.url }, 'small', '1');
      assert.equal((await runCli(['pull', '-q', `${registry.host}/small:1`], home.env)).code, 0);
      assert.equal((await stat(home.env.REGCTL_STORE!)).mode & 0o777, 0o700);
      assert.equal((await stat(join(home.env.REGCTL_STORE!, 'index.json'))).mode & 0o777, 0o600);
      const blobs = join(home.env.REGCTL_STORE!, 'blobs', 'sha256');
      for (const name of await readdir(blobs)) assert.equal((await stat(join(blobs, name))).mode & 0o777, 0o400, name);
      await chmod(existing, 0o755);
      assert.equal((await runCli(['pull', '-q', `${registry.host}/small:1`], { ...home.env, REGCTL_STORE: existing })).code, 0);
      assert.equal((await stat(existing)).mode & 0o777, 0o755);
    } finally {
      await Promise.all([registry.stop(), home.cleanup(), rm(home.env.REGCTL_STORE!, { recursive: true, force: true }), rm(existing, { recursive: true, force: true })]);
    }
  });

  test('a failed copy into a new oci: directory leaves nothing behind', async () => {
    const server = await startHostile('short-blob');
    const home = await makeHome();
    try {
      const dir = join(home.dir, 'new-layout');
      const r = await runCli(['copy', `${server.host}/app:1`, `oci:${dir}:1`], home.env);
      assert.equal(r.code, 6, r.stderr);
      await assert.rejects(stat(dir), { code: 'ENOENT' });
    } finally {
      await Promise.all([server.stop(), home.cleanup()]);
    }
  });
});

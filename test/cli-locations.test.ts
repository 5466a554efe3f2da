import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { run } from '../src/cli.js';
import { parseLocation, TRANSPORTS } from '../src/ops/transports/index.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, tarLayer, type SeededImage, type SeededIndex } from './helpers/seed.js';

// inspect and digest read every transport (a registry, oci:, docker-archive:, local: the store) like copy does;
// --platform that matches nothing is exit 3 in every command; copy by digest moves no tag; progress knows its plan.
describe('image locations for inspect, digest, copy, pull and save against the real registry', () => {
  let reg: RegistryHandle;
  let home: Home;
  let scratch: string;
  let image: SeededImage;
  let index: SeededIndex;
  const arm64 = () => index.manifests.find((m) => m.platform.architecture === 'arm64')!.digest;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    scratch = await mkdtemp(join(tmpdir(), 'regctl-locations-'));
    image = await seedImage({ url: reg.url }, 'team/app', '1.0', {
      layers: [tarLayer({ 'hello.txt': 'hello\n' }), tarLayer({ 'etc/os-release': 'ID=test\n' })],
    });
    index = await seedIndex({ url: reg.url }, 'team/multi', 'v1', [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  /** A fresh store for one test (tests do not share state). */
  const withStore = (name: string) => ({ ...home.env, REGCTL_STORE: join(scratch, `store-${name}`) });

  test('digest and inspect of the same image agree through the registry, oci:, docker-archive: and local:', async () => {
    const env = withStore('agree');
    const dir = join(scratch, 'agree-layout');
    const tar = join(scratch, 'agree.tar');
    for (const args of [
      ['copy', '-q', `${reg.host}/team/multi:v1`, `oci:${dir}:v1`],
      ['copy', '-q', `${reg.host}/team/app:1.0`, `oci:${dir}:app`],
      ['copy', '-q', `${reg.host}/team/app:1.0`, `docker-archive:${tar}:team/app:1.0`],
      ['pull', '-q', '--all-platforms', `${reg.host}/team/multi:v1`],
      ['pull', '-q', `${reg.host}/team/app:1.0`],
    ]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    const digestOf = async (...args: string[]) => {
      const r = await runCli(['digest', ...args], env);
      assert.equal(r.code, 0, `digest ${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim();
    };
    for (const where of [`${reg.host}/team/multi:v1`, `oci:${dir}:v1`, `local:${reg.host}/team/multi:v1`]) {
      assert.equal(await digestOf(where), index.digest, where);
      assert.equal(await digestOf('--platform', 'linux/arm64', where), arm64(), where);
    }
    for (const where of [`${reg.host}/team/app:1.0`, `oci:${dir}:app`, `docker-archive:${tar}`, `local:${reg.host}/team/app:1.0`]) {
      assert.equal(await digestOf(where), image.digest, where);
      assert.equal(await digestOf('--platform', 'linux/amd64', where), image.digest, where);
      const raw = await runCli(['inspect', '--raw', where], env);
      assert.deepEqual(raw.stdoutBytes, image.manifest, where);
      const doc = JSON.parse((await runCli(['inspect', '--format', 'json', where], env)).stdout);
      assert.equal(doc.digest, image.digest, where);
      assert.deepEqual(doc.image.platform, { os: 'linux', architecture: 'amd64' }, where);
      assert.deepEqual(doc.image.layers.map((l: { digest: string }) => l.digest), image.layerDigests, where);
    }
    const local = await runCli(['inspect', `local:${reg.host}/team/multi:v1`], env);
    assert.equal(local.code, 0, local.stderr);
    assert.match(local.stdout, new RegExp(`^Name: +${reg.host}/team/multi:v1$`, 'm'));
    assert.ok(local.stdout.includes(arm64()));
  });

  test('local: names an image of the store; one it lacks is exit 3 with a hint', async () => {
    const env = withStore('missing');
    for (const cmd of ['digest', 'inspect']) {
      const r = await runCli([cmd, 'local:nothing/here:1'], env);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /^regctl: image nothing\/here:1 not found in the local store$/m);
      assert.match(r.stderr, /hint: pull it first/);
    }
    const missingLayout = await runCli(['digest', `oci:${join(scratch, 'no-such-layout')}`], env);
    assert.equal(missingLayout.code, 3, missingLayout.stderr);
  });

  test('copy into local: is a pull that keeps the whole index; out of local: to a registry keeps the digest', async () => {
    const env = withStore('copy-local');
    const into = await runCli(['copy', '-q', `${reg.host}/team/multi:v1`, 'local:mine/multi:v1'], env);
    assert.equal(into.code, 0, into.stderr);
    assert.equal(into.stdout, `${index.digest}\n`);
    const images = await runCli(['images', '--format', 'json'], env);
    assert.deepEqual(JSON.parse(images.stdout).map((i: { name: string; digest: string }) => [i.name, i.digest]), [['docker.io/mine/multi:v1', index.digest]]);
    const out = await runCli(['copy', '-q', 'local:mine/multi:v1', `${reg.host}/back/multi:v2`], env);
    assert.equal(out.code, 0, out.stderr);
    assert.equal((await runCli(['digest', `${reg.host}/back/multi:v2`], env)).stdout, `${index.digest}\n`);
  });

  test('digest of a registry tag is one HEAD request and nothing else', async () => {
    const proxy = await startProxy(reg.url);
    try {
      const r = await runCli(['digest', `${proxy.host}/team/app:1.0`], home.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${image.digest}\n`);
      assert.deepEqual(proxy.requests.filter((q) => !/^GET \/v2\/$/.test(q)), ['HEAD /v2/team/app/manifests/1.0']);
    } finally {
      await proxy.stop();
    }
  });

  test('--platform that matches nothing is exit 3 in pull, copy, save, inspect and digest, and writes nothing', async () => {
    const env = withStore('platform');
    const dir = join(scratch, 'platform-layout');
    const tar = join(scratch, 'platform.tar');
    // An index without that platform, and a single-platform image of another platform.
    for (const [platform, ref] of [['linux/s390x', `${reg.host}/team/multi:v1`], ['linux/arm64', `${reg.host}/team/app:1.0`]] as const) {
      for (const args of [
        ['pull', '-q', '--platform', platform, ref],
        ['copy', '-q', '--platform', platform, ref, `${reg.host}/out/x:1`],
        ['copy', '-q', '--platform', platform, ref, `oci:${dir}:x`],
        ['save', '-q', '--platform', platform, '-o', tar, ref],
        ['inspect', '--platform', platform, ref],
        ['digest', '--platform', platform, ref],
      ]) {
        const r = await runCli(args, env);
        assert.equal(r.code, 3, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^regctl: .*${platform.replace('/', '\\/')}`, 'm'), args.join(' '));
        assert.equal(r.stdout, '', args.join(' '));
      }
    }
    assert.equal((await runCli(['images', '-q'], env)).stdout, '', 'nothing pulled');
    assert.equal((await runCli(['tags', `${reg.host}/out/x`], env)).code, 3, 'nothing copied');
    assert.deepEqual(await readdir(scratch).then((n) => n.filter((f) => f.startsWith('platform.'))), [], 'no tarball');
  });

  test('--platform ../../etc (or any malformed platform) is a usage error, exit 2, in every command', async () => {
    const env = withStore('bad-platform');
    const ref = `${reg.host}/team/app:1.0`;
    for (const bad of ['../../etc', 'linux/../..', '/amd64', 'linux']) {
      for (const args of [
        ['pull', '--platform', bad, ref],
        ['copy', '--platform', bad, ref, `${reg.host}/out/y:1`],
        ['save', '--platform', bad, '-o', join(scratch, 'bad.tar'), ref],
        ['inspect', '--platform', bad, ref],
        ['digest', '--platform', bad, ref],
      ]) {
        const r = await runCli(args, env);
        assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
        assert.match(r.stderr, /invalid platform/, args.join(' '));
      }
    }
  });

  test('copy SRC@sha256:… to a name without a tag writes by digest only and never moves latest', async () => {
    const env = withStore('by-digest');
    // `latest` already names another image at the destination: it must stay.
    const other = await runCli(['copy', '-q', `${reg.host}/team/multi:v1`, `${reg.host}/pinned/app:latest`], env);
    assert.equal(other.code, 0, other.stderr);
    const r = await runCli(['copy', '-q', `${reg.host}/team/app@${image.digest}`, `${reg.host}/pinned/app`], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${image.digest}\n`);
    assert.equal((await runCli(['digest', `${reg.host}/pinned/app:latest`], env)).stdout, `${index.digest}\n`, 'latest did not move');
    assert.equal((await runCli(['digest', `${reg.host}/pinned/app@${image.digest}`], env)).stdout, `${image.digest}\n`, 'pushed by digest');
    assert.deepEqual((await runCli(['tags', `${reg.host}/pinned/app`], env)).stdout.trim().split('\n'), ['latest']);
    // A fresh repository gets no tag at all.
    const fresh = await runCli(['copy', '-q', `${reg.host}/team/app@${image.digest}`, `${reg.host}/fresh/app`], env);
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal((await runCli(['digest', `${reg.host}/fresh/app@${image.digest}`], env)).code, 0);
    assert.equal((await runCli(['digest', `${reg.host}/fresh/app:latest`], env)).code, 3, 'no latest');
    // Into the store, a digest-only source needs a tag to be named by.
    const local = await runCli(['copy', '-q', `${reg.host}/team/app@${image.digest}`, 'local:fresh/app'], env);
    assert.equal(local.code, 2, local.stderr);
  });

  test('pull after pull --all-platforms downloads nothing and says the image is up to date', async () => {
    const env = withStore('up-to-date');
    const proxy = await startProxy(reg.url);
    try {
      const all = await runCli(['pull', '--all-platforms', `${proxy.host}/team/multi:v1`], env);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /Status: Downloaded newer image/);
      proxy.requests.length = 0;
      const again = await runCli(['pull', `${proxy.host}/team/multi:v1`], env);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`^Digest: ${index.digest}\nStatus: Image is up to date for ${proxy.host}/team/multi:v1\n`));
      assert.deepEqual(proxy.requests.filter((q) => q.startsWith('GET /v2/team/multi/blobs/')), [], 'no blob downloaded');
      const stored = JSON.parse((await runCli(['images', '--format', 'json'], env)).stdout);
      assert.deepEqual(stored.map((i: { digest: string }) => i.digest), [index.digest], 'the store keeps the whole index it has');
      const allAgain = await runCli(['pull', '--all-platforms', `${proxy.host}/team/multi:v1`], env);
      assert.match(allAgain.stdout, /Status: Image is up to date/);
    } finally {
      await proxy.stop();
    }
  });

  test('progress knows every blob before the first moves: plain lines and the terminal display', async () => {
    const env = withStore('progress');
    const plain = await runCli(['copy', `${reg.host}/team/multi:v1`, `${reg.host}/progress/plain:1`], env);
    assert.equal(plain.code, 0, plain.stderr);
    const counts = [...plain.stderr.matchAll(/ \[(\d+)\/(\d+)\]$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    // Two platforms × (config + one layer): 4 blobs, counted 1..4 against 4 from the first line.
    assert.deepEqual(counts, [[1, 4], [2, 4], [3, 4], [4, 4]], plain.stderr);

    const chunks: Buffer[] = [];
    // What ora asks of a terminal stream.
    const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    stderr.on('data', (c: Buffer) => chunks.push(c));
    const code = await run(['copy', `${reg.host}/team/multi:v1`, `${reg.host}/progress/tty:1`], {
      stdout: new PassThrough(), stderr, stdin: Readable.from([]), env, homedir: home.dir, runtime: process,
    });
    const text = Buffer.concat(chunks).toString('utf8');
    assert.equal(code, 0, text);
    const totals = [...text.matchAll(/(\d+)\/(\d+) blobs/g)].map((m) => m[2]);
    assert.ok(totals.length >= 1, text);
    assert.deepEqual([...new Set(totals)], ['4'], `the overall line counts 4 blobs from its first draw:\n${text}`);
    assert.match(text, /4\/4 blobs/);
  });

  test('transports parse as skopeo writes them; NAME:PORT/… stays a registry host', () => {
    for (const name of ['docker', 'oci', 'docker-archive', 'local']) assert.ok(TRANSPORTS.some((t) => t.name === name), name);
    assert.equal(parseLocation('local:alpine').transport.name, 'local');
    assert.equal(parseLocation('local:5000/app:1').transport.name, 'docker', 'a host called local with a port');
    assert.equal(parseLocation('oci:/tmp/x:v1').transport.name, 'oci');
    assert.equal(parseLocation('localhost:5000/app').transport.name, 'docker');
    assert.equal(parseLocation('local:alpine@sha256:' + 'a'.repeat(64)).digestOnly, true);
    assert.throws(() => parseLocation('local:'), /want local:IMAGE/);
    assert.throws(() => parseLocation('local:UPPER'), /invalid reference/);
    assert.equal(parseLocation('docker-daemon:app:dev').transport.name, 'docker-daemon');
    assert.equal(parseLocation(`docker-daemon:sha256:${'a'.repeat(64)}`).digestOnly, true);
  });

  test('skopeo transports regctl does not serve are refused with exit 2, never read as a Docker Hub image', async () => {
    const env = withStore('foreign');
    for (const name of ['containers-storage', 'dir', 'ostree', 'sif', 'tarball']) {
      for (const args of [['copy', `${reg.host}/team/app:1.0`, `${name}:x`], ['copy', `${name}:x`, `${reg.host}/foreign/${name}:x`], ['inspect', `${name}:x`]]) {
        const r = await runCli(args, env);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`^regctl: "${name}:" is a skopeo transport regctl does not serve`, 'm'));
        assert.match(r.stderr, new RegExp(`hint: .*docker://${name}:x`));
      }
      // The Docker Hub image of that name stays reachable, spelled as skopeo spells it.
      const ref = parseLocation(`docker://${name}:x`);
      assert.equal(ref.transport.name, 'docker');
      assert.equal(ref.text, `docker://${name}:x`);
    }
    assert.equal(parseLocation('dir:5000/app:1').transport.name, 'docker', 'dir:5000/… is a registry host with a port');
  });
});

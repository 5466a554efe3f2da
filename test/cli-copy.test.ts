import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { freePort } from './helpers/ports.js';
import { startProxy, type Fault } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, tarLayer, type SeededImage, type SeededIndex } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const skopeoDigest = async (ref: string) =>
  (await execFileAsync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${ref}`])).stdout.trim();

describe('copy between real registries', () => {
  let a: RegistryHandle;
  let b: RegistryHandle;
  let home: Home;
  let image: SeededImage;
  let index: SeededIndex;

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    home = await makeHome();
    // Incompressible layers big enough to span many reads, so faults can hit mid-blob.
    image = await seedImage({ url: a.url }, 'src/app', '1', {
      layers: [tarLayer({ 'big.bin': randomBytes(3 * 1024 * 1024) }), tarLayer({ 'etc/hostname': 'x\n' })],
    });
    index = await seedIndex({ url: a.url }, 'src/multi', 'v1', [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await home.cleanup();
  });

  const cp = (...args: string[]) => runCli(['copy', ...args], home.env);

  test('copy keeps the digest (skopeo agrees) and prints it on stdout', async () => {
    const r = await cp(`${a.host}/src/app:1`, `${b.host}/dst/app:1`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${image.digest}\n`);
    assert.equal(await skopeoDigest(`${b.host}/dst/app:1`), image.digest);
    assert.equal(r.stderr.match(/^[0-9a-f]{12}: done \([\d.]+[kMG]?B\) \[[1-3]\/3\]$/gm)?.length, 3, 'one progress line per blob on stderr');
  });

  test('a multi-platform index is copied whole and keeps its digest', async () => {
    const r = await cp('-q', `${a.host}/src/multi:v1`, `${b.host}/dst/multi:v1`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${index.digest}\n`);
    assert.equal(r.stderr, '', '-q prints nothing');
    assert.equal(await skopeoDigest(`${b.host}/dst/multi:v1`), index.digest);
    for (const m of index.manifests) {
      const d = await runCli(['digest', `${b.host}/dst/multi@${m.digest}`], home.env);
      assert.equal(d.stdout.trim(), m.digest);
    }
  });

  test('--platform copies the one image', async () => {
    const arm = index.manifests.find((m) => m.platform.architecture === 'arm64')!;
    const r = await cp('--platform', 'linux/arm64', `${a.host}/src/multi:v1`, `${b.host}/dst/arm:1`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${arm.digest}\n`);
    assert.equal(await skopeoDigest(`${b.host}/dst/arm:1`), arm.digest);
  });

  test('copying onto an identical destination sends nothing; existing blobs are not re-sent', async () => {
    assert.equal((await cp('-q', `${a.host}/src/app:1`, `${b.host}/same/app:1`)).code, 0);
    const proxy = await startProxy(b.url);
    try {
      const again = await cp('-q', `${a.host}/src/app:1`, `${proxy.host}/same/app:1`);
      assert.equal(again.stdout, `${image.digest}\n`);
      assert.deepEqual(proxy.requests.filter((q) => q !== 'GET /v2/' && !q.startsWith('HEAD ')), []);
      proxy.requests.length = 0;
      const newTag = await cp('-q', `${a.host}/src/app:1`, `${proxy.host}/same/app:2`);
      assert.equal(newTag.code, 0, newTag.stderr);
      const sent = proxy.requests.filter((q) => q.startsWith('POST') || q.startsWith('PATCH') || (q.startsWith('PUT') && !q.includes('/manifests/')));
      assert.deepEqual(sent, [], 'no blob uploads');
      assert.ok(proxy.requests.some((q) => q.startsWith('PUT /v2/same/app/manifests/2')));
    } finally {
      await proxy.stop();
    }
  });

  test('a copy to another repository of the same registry mounts blobs: no layer bytes sent', async () => {
    assert.equal((await cp('-q', `${a.host}/src/app:1`, `${b.host}/mount-from/app:1`)).code, 0);
    const proxy = await startProxy(b.url);
    try {
      const r = await cp(`${proxy.host}/mount-from/app:1`, `${proxy.host}/other/app:1`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${image.digest}\n`);
      assert.ok(proxy.requests.filter((q) => /^POST \/v2\/other\/app\/blobs\/uploads\/\?mount=sha256%3A[0-9a-f]{64}&from=mount-from%2Fapp$/.test(q)).length >= 3);
      assert.deepEqual(proxy.requests.filter((q) => q.startsWith('PATCH') || (q.startsWith('PUT') && q.includes('/blobs/'))), []);
      assert.deepEqual(proxy.requests.filter((q) => q.startsWith('GET') && q.includes('/blobs/')), [], 'no blob downloaded either');
      assert.match(r.stderr, /mounted/);
      assert.equal(await skopeoDigest(`${b.host}/other/app:1`), image.digest);
    } finally {
      await proxy.stop();
    }
  });

  /** Source behind a proxy that applies `fault` to the first matching request. */
  async function faultySource(match: (method: string, url: URL) => boolean, fault: Fault, times = 1) {
    let left = times;
    return startProxy(a.url, { fault: (m, u) => (left > 0 && match(m, u) ? (left--, fault) : undefined) });
  }
  const bigLayer = (_m: string, u: URL) => u.pathname.endsWith(image.layerDigests[0]!);

  test('a connection dropped mid-blob is resumed with Range: identical digest', async () => {
    const proxy = await faultySource((m, u) => m === 'GET' && bigLayer(m, u), { cutAfter: 1024 * 1024 }, 2);
    try {
      const r = await cp('-q', `${proxy.host}/src/app:1`, `${b.host}/resumed/app:1`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(proxy.faulted.length, 2, 'the connection was cut twice');
      assert.equal(r.stdout, `${image.digest}\n`);
      assert.equal(await skopeoDigest(`${b.host}/resumed/app:1`), image.digest);
    } finally {
      await proxy.stop();
    }
  });

  test('500 once and 429 with Retry-After on the source are survived', async () => {
    const proxy = await faultySource((m, u) => m === 'GET' && bigLayer(m, u), { status: 500 });
    const proxy2 = await startProxy(a.url, {
      fault: (() => {
        let once = true;
        return (m: string, u: URL) => (once && m === 'GET' && u.pathname.includes('/manifests/') ? ((once = false), { status: 429, headers: { 'retry-after': '1' } }) : undefined);
      })(),
    });
    try {
      const r = await cp('-q', `${proxy.host}/src/app:1`, `${b.host}/retried/app:1`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${image.digest}\n`);
      assert.deepEqual(proxy.faulted, [`GET /v2/src/app/blobs/${image.layerDigests[0]}`], 'the 500 was served');
      const r2 = await cp('-q', `${proxy2.host}/src/app:1`, `${b.host}/retried/app:2`);
      assert.equal(r2.code, 0, r2.stderr);
      assert.deepEqual(proxy2.faulted, ['GET /v2/src/app/manifests/1'], 'the 429 was served');
    } finally {
      await proxy.stop();
      await proxy2.stop();
    }
  });

  test('a failed upload is retried with a new session', async () => {
    let once = true;
    const proxy = await startProxy(b.url, {
      fault: (m, u) => (once && m === 'PUT' && u.pathname.includes('/blobs/uploads/') ? ((once = false), { status: 503 }) : undefined),
    });
    try {
      const r = await cp('-q', `${a.host}/src/app:1`, `${proxy.host}/upretry/app:1`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(proxy.faulted.length, 1, 'the 503 was served');
      assert.equal(await skopeoDigest(`${b.host}/upretry/app:1`), image.digest);
      assert.ok(proxy.requests.filter((q) => q.startsWith('POST /v2/upretry/app/blobs/uploads/')).length >= 4, proxy.requests.join('\n'));
    } finally {
      await proxy.stop();
    }
  });

  test('a corrupted blob is refused with exit 6 and nothing is committed', async () => {
    const proxy = await faultySource((m, u) => m === 'GET' && u.pathname.includes('/blobs/'), { corrupt: true }, 100);
    try {
      const r = await cp('-q', `${proxy.host}/src/app:1`, `${b.host}/corrupt/app:1`);
      assert.equal(r.code, 6, r.stderr);
      assert.ok(proxy.faulted.length >= 1, 'a corrupted blob was served');
      assert.match(r.stderr, /^regctl: blob sha256:[0-9a-f]{64} from .*: digest mismatch: expected sha256:/m);
      const d = await runCli(['digest', `${b.host}/corrupt/app:1`], home.env);
      assert.equal(d.code, 3, 'no manifest at the destination');
    } finally {
      await proxy.stop();
    }
  });

  test('configured mirrors are read first; the origin answers what the mirror lacks', async () => {
    assert.equal((await cp('-q', `${a.host}/src/app:1`, `${b.host}/mirrored/app:1`)).code, 0);
    const port = await freePort(); // an origin that is down: everything must come from the mirror
    const mirror = await startProxy(b.url);
    const h = await makeHome({ registries: { [`127.0.0.1:${port}`]: { mirrors: [mirror.url] }, [a.host]: { mirrors: [mirror.url] } } });
    try {
      const viaMirror = await runCli(['copy', '-q', `127.0.0.1:${port}/mirrored/app:1`, `${a.host}/from-mirror/app:1`], h.env);
      assert.equal(viaMirror.code, 0, viaMirror.stderr);
      assert.equal(viaMirror.stdout, `${image.digest}\n`);
      assert.ok(mirror.requests.some((q) => q.startsWith('GET /v2/mirrored/app/manifests/1')));
      mirror.requests.length = 0;
      const fallback = await runCli(['copy', '-q', `${a.host}/src/multi:v1`, `${a.host}/fallback/multi:v1`], h.env);
      assert.equal(fallback.code, 0, fallback.stderr);
      assert.equal(fallback.stdout, `${index.digest}\n`);
      assert.ok(mirror.requests.some((q) => q.startsWith('GET /v2/src/multi/manifests/v1')), 'the mirror was asked first');
    } finally {
      await mirror.stop();
      await h.cleanup();
    }
  });

  test('--format prints (text, json, a template); --manifest-format writes, as skopeo\'s --format oci|docker|v2s2 does', async () => {
    const json = await cp('-q', '--format', 'json', `${a.host}/src/app:1`, `${b.host}/fmt/app:1`);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).digest, image.digest);
    const again = await cp('-q', '--format', '{{.Digest}} {{.Unchanged}} {{.Blobs.Pushed}}', `${a.host}/src/app:1`, `${b.host}/fmt/app:1`);
    assert.equal(again.stdout, `${image.digest} true 0\n`);
    const oci = await cp('-q', '--manifest-format', 'oci', '--format', '{{.MediaType}} {{.Digest}}', `${a.host}/src/app:1`, `${b.host}/fmt/oci:1`);
    assert.equal(oci.code, 0, oci.stderr);
    const [mediaType, ociDigest] = oci.stdout.trim().split(' ');
    assert.equal(mediaType, 'application/vnd.oci.image.manifest.v1+json');
    const skopeo = await cp('-q', '--format', 'oci', `${a.host}/src/app:1`, `${b.host}/fmt/skopeo:1`);
    assert.equal(skopeo.stdout, `${ociDigest}\n`, 'skopeo\'s --format oci writes the same OCI manifest, and prints the digest');
    const back = await cp('-q', '--format', 'v2s2', `${b.host}/fmt/skopeo:1`, `${b.host}/fmt/back:1`);
    assert.equal(back.stdout, `${image.digest}\n`, 'v2s2 is the Docker format: the source\'s bytes again');
    const disagree = await cp('--format', 'oci', '--manifest-format', 'docker', `${a.host}/src/app:1`, `${b.host}/fmt/x:1`);
    assert.equal(disagree.code, 2);
    assert.match(disagree.stderr, /--format oci and --manifest-format docker disagree/);
    const dry = await cp('--dry-run', '--manifest-format', 'oci', `${a.host}/src/app:1`, `${b.host}/fmt/x:1`);
    assert.equal(dry.code, 2);
    assert.match(dry.stderr, /--manifest-format does not go with --dry-run/);
    const refs = await cp('--format', 'oci', '--referrers', `${a.host}/src/app:1`, `${b.host}/fmt/x:1`);
    assert.equal(refs.code, 2);
    assert.match(refs.stderr, /--manifest-format and --referrers exclude each other/);
    assert.equal((await cp('--format', 'tabel', `${a.host}/src/app:1`, `${b.host}/fmt/x:1`)).code, 2);
    assert.equal((await runCli(['tags', `${b.host}/fmt/x`], home.env)).code, 3, 'nothing written by the refused copies');
  });

  test('errors: bad names exit 2, missing source exit 3, bad --jobs exit 2', async () => {
    assert.equal((await cp('Bad/Name', `${b.host}/x:1`)).code, 2);
    assert.equal((await cp(`${a.host}/src/app:1`, 'oops://x')).code, 2);
    const missing = await cp(`${a.host}/src/nope:1`, `${b.host}/x:1`);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /manifest unknown/);
    assert.equal((await cp('-j', '0', `${a.host}/src/app:1`, `${b.host}/x:1`)).code, 2);
  });

  test('delete REPO:TAG removes the tag (again: exit 3); delete REPO@DIGEST removes the manifest', async () => {
    await cp('-q', `${a.host}/src/app:1`, `${b.host}/del/app:1`);
    const r = await runCli(['delete', `${b.host}/del/app:1`], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Untagged: ${b.host}/del/app:1\n`);
    assert.equal((await runCli(['inspect', `${b.host}/del/app:1`], home.env)).code, 3);
    assert.equal((await runCli(['delete', `${b.host}/del/app:1`], home.env)).code, 3);
    const byDigest = await runCli(['delete', `${b.host}/del/app@${image.digest}`], home.env);
    assert.equal(byDigest.stdout, `Deleted: ${image.digest}\n`, byDigest.stderr);
    assert.equal((await runCli(['inspect', `${b.host}/del/app@${image.digest}`], home.env)).code, 3);
  });
});

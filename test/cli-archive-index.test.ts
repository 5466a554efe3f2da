import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startContainerd } from './helpers/containerd.js';
import { startDockerd } from './helpers/dockerd.js';
import { busyboxImage, listTar, makeLayer, sha256, tarOf, type TestImage } from './helpers/images.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runBin, runCli, type Home } from './helpers/run-cli.js';

const execFileAsync = promisify(execFile);
const busybox = execFileSync('sh', ['-c', 'command -v busybox || true']).toString().trim();
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

interface Blob { bytes: Buffer; desc: { mediaType: string; digest: string; size: number } }
const blob = (mediaType: string, bytes: Buffer): Blob => ({ bytes, desc: { mediaType, digest: sha256(bytes), size: bytes.length } });
const json = (o: unknown) => Buffer.from(JSON.stringify(o));

/** An OCI layout directory holding `blobs`, index.json naming `entries` by ref name. */
function writeLayout(dir: string, blobs: Blob[], entries: Array<{ desc: object; ref: string }>): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  for (const b of blobs) writeFileSync(join(dir, 'blobs', 'sha256', b.desc.digest.slice(7)), b.bytes);
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries.map((e) => ({ ...e.desc, annotations: { 'org.opencontainers.image.ref.name': e.ref } })) }));
}

/** The busybox image as OCI (amd64), a small arm64 image and a BuildKit-style attestation manifest, in one index. */
async function multiPlatform(bb: TestImage) {
  const blobs: Blob[] = [];
  const add = (b: Blob) => (blobs.push(b), b);
  const amdLayers = bb.layers.map((l) => add(blob(OCI_GZIP, l.blob)));
  const amdConfig = add(blob(OCI_CONFIG, bb.config));
  const amd = add(blob(OCI_MANIFEST, json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: amdConfig.desc, layers: amdLayers.map((l) => l.desc) })));
  const armLayer = await makeLayer([{ name: 'arm', body: 'arm64 content\n' }]);
  add(blob(OCI_GZIP, armLayer.blob));
  const armConfig = add(blob(OCI_CONFIG, json({ architecture: 'arm64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [armLayer.diffId] } })));
  const arm = add(blob(OCI_MANIFEST, json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: armConfig.desc, layers: [{ ...armLayer.desc, mediaType: OCI_GZIP }] })));
  const statement = add(blob('application/vnd.in-toto+json', json({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document' })));
  const attConfig = add(blob(OCI_CONFIG, json({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [statement.desc.digest] } })));
  const att = add(blob(OCI_MANIFEST, json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: attConfig.desc, layers: [{ ...statement.desc, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } }] })));
  const index = add(blob(OCI_INDEX, json({
    schemaVersion: 2, mediaType: OCI_INDEX, manifests: [
      { ...amd.desc, platform: { architecture: 'amd64', os: 'linux' } },
      { ...arm.desc, platform: { architecture: 'arm64', os: 'linux' } },
      { ...att.desc, platform: { architecture: 'unknown', os: 'unknown' }, annotations: { 'vnd.docker.reference.digest': amd.desc.digest, 'vnd.docker.reference.type': 'attestation-manifest' } },
    ],
  })));
  return { blobs, index, amd, amdConfig, arm, armLayer, att };
}

describe('archives carry the whole index: save --all-platforms, oci-archive:, load --name, --format', { skip: busybox ? false : 'busybox-static is not installed' }, () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  let m: Awaited<ReturnType<typeof multiPlatform>>;
  let bb: TestImage;
  let multi: string;
  const cli = (...args: string[]) => runCli(args, home.env);

  before(async () => {
    reg = await startRegistry({ allowLayerUrls: ['^https://example\\.invalid/'] });
    home = await makeHome({ registries: { [reg.host]: { insecure: true } } });
    home.env.REGCTL_STORE = join(home.dir, 'store');
    T = mkdtempSync(join(tmpdir(), 'regctl-index-'));
    bb = await busyboxImage(busybox);
    m = await multiPlatform(bb);
    writeLayout(join(T, 'src'), m.blobs, [{ desc: m.index.desc, ref: 'multi' }]);
    multi = `${reg.host}/test/multi:1`;
    const r = await cli('copy', '-q', `oci:${join(T, 'src')}:multi`, multi);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), m.index.desc.digest);
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    rmSync(T, { recursive: true, force: true });
  });

  test('save --all-platforms: the whole index (attestation included) plus the host image for docker; dockerd, podman and ctr load it', async () => {
    const file = join(T, 'all.tar');
    const r = await cli('save', '-q', '--all-platforms', multi, '-o', file);
    assert.equal(r.code, 0, r.stderr);
    const tar = readFileSync(file);
    const names = (await listTar(tar)).map((e) => e.name);
    for (const b of m.blobs) assert.ok(names.includes(`blobs/sha256/${b.desc.digest.slice(7)}`), `${b.desc.digest} in the tar`);
    const extract = join(T, 'all-x');
    mkdirSync(extract);
    execFileSync('tar', ['-xf', file, '-C', extract]);
    assert.equal(JSON.parse(readFileSync(join(extract, 'index.json'), 'utf8')).manifests[0].digest, m.index.desc.digest);
    assert.deepEqual(JSON.parse(readFileSync(join(extract, 'manifest.json'), 'utf8'))[0].Config, `blobs/sha256/${m.amdConfig.desc.digest.slice(7)}`);

    const d = await startDockerd();
    try {
      const load = await d.docker(['load', '-i', file]);
      assert.equal(load.code, 0, load.stderr);
      assert.equal((await d.docker(['image', 'inspect', '--format', '{{.Id}}', multi])).stdout.trim(), m.amdConfig.desc.digest);
    } finally {
      await d.stop();
    }
    const P = ['--root', join(T, 'proot'), '--runroot', join(T, 'prun'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
    const { stdout } = await execFileAsync('podman', [...P, 'load', '-i', file]);
    assert.match(stdout, /Loaded image/);
    const c = await startContainerd();
    try {
      const imp = await c.ctr(['images', 'import', '--all-platforms', '--no-unpack', file]);
      assert.equal(imp.code, 0, imp.stderr);
      const ls = await c.ctr(['images', 'ls']);
      assert.match(ls.stdout, new RegExp(`${multi.replace(/\./g, '\\.')}\\s+\\S+\\s+${m.index.desc.digest}`));
    } finally {
      await c.stop();
    }

    // load keeps the whole index; push keeps its digest.
    const h = await makeHome({ registries: { [reg.host]: { insecure: true } } }, { REGCTL_STORE: join(T, 'store-all') });
    try {
      const load = await runCli(['load', '-i', file], h.env);
      assert.equal(load.code, 0, load.stderr);
      const listed = JSON.parse((await runCli(['images', '--format', 'json'], h.env)).stdout);
      assert.equal(listed[0].digest, m.index.desc.digest);
      const back = `${reg.host}/test/multi-back:1`;
      assert.equal((await runCli(['tag', multi, back], h.env)).code, 0);
      const push = await runCli(['push', '-q', back], h.env);
      assert.equal(push.code, 0, push.stderr);
      assert.equal((await runCli(['digest', back], h.env)).stdout.trim(), m.index.desc.digest);
    } finally {
      await h.cleanup();
    }
  });

  test('save --platform a,b keeps the index with those platforms (and their attestations); one --platform picks the image as before', async () => {
    const file = join(T, 'two.tar');
    const r = await cli('save', '-q', '--platform', 'linux/amd64,linux/arm64', multi, '-o', file);
    assert.equal(r.code, 0, r.stderr);
    const names = (await listTar(readFileSync(file))).map((e) => e.name);
    assert.ok(names.includes(`blobs/sha256/${m.att.desc.digest.slice(7)}`));
    assert.ok(names.includes(`blobs/sha256/${m.armLayer.desc.digest.slice(7)}`));
    const one = join(T, 'one.tar');
    assert.equal((await cli('save', '-q', '--platform', 'linux/arm64', multi, '-o', one)).code, 0);
    const oneNames = (await listTar(readFileSync(one))).map((e) => e.name);
    assert.ok(!oneNames.includes(`blobs/sha256/${m.index.desc.digest.slice(7)}`), 'a single platform: no index');
    assert.ok(oneNames.includes(`blobs/sha256/${m.arm.desc.digest.slice(7)}`));
    assert.equal((await cli('save', '--all-platforms', '--platform', 'linux/arm64', multi, '-o', one)).code, 2);
  });

  test('oci-archive: both ways, judged by skopeo; unnamed images are kept by digest, --name names them, an empty archive fails', async () => {
    const file = join(T, 'o.tar');
    const w = await cli('copy', '-q', multi, `oci-archive:${file}:v1`);
    assert.equal(w.code, 0, w.stderr);
    const raw = (await execFileAsync('skopeo', ['inspect', '--raw', `oci-archive:${file}:v1`], { encoding: 'buffer' })).stdout;
    assert.equal(sha256(raw), m.index.desc.digest);
    const sk = join(T, 'sk.tar');
    await execFileAsync('skopeo', ['copy', '--all', '--src-tls-verify=false', `docker://${multi}`, `oci-archive:${sk}:v2`]);
    const back = await cli('copy', '-q', `oci-archive:${sk}:v2`, `${reg.host}/test/from-skopeo:1`);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.stdout.trim(), m.index.desc.digest);
    assert.equal((await cli('copy', '-q', `oci-archive:${sk}:nope`, `${reg.host}/test/x:1`)).code, 3);

    const unnamed = join(T, 'unnamed.tar');
    assert.equal((await cli('copy', '-q', multi, `oci-archive:${unnamed}`)).code, 0);
    const h = await makeHome(undefined, { REGCTL_STORE: join(T, 'store-unnamed') });
    try {
      const l = await runCli(['load', '-i', unnamed], h.env);
      assert.equal(l.code, 0, l.stderr);
      assert.equal(l.stdout, `Loaded image ID: ${m.index.desc.digest}\n`);
      assert.match((await runCli(['images'], h.env)).stdout, /<none>\s+<none>/);
      const named = await runCli(['load', '--name', 'example.com/app:7', '-i', unnamed], h.env);
      assert.equal(named.stdout, 'Loaded image: example.com/app:7\n', named.stderr);
      const empty = join(T, 'empty.tar');
      writeFileSync(empty, await tarOf([{ name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' }, { name: 'index.json', body: JSON.stringify({ schemaVersion: 2, manifests: [] }) }]));
      const e = await runCli(['load', '-i', empty], h.env);
      assert.notEqual(e.code, 0);
      assert.match(e.stderr, /holds no images/);
    } finally {
      await h.cleanup();
    }
  });

  test('copy --format oci converts a Docker image that umoci then unpacks; without it a warning; oci:DIR:a/b and the ref.name grammar', async () => {
    const dockerImg = `${reg.host}/test/bb-docker:1`;
    const layout = join(T, 'bb-layout');
    const blobs = [...bb.layers.map((l) => blob(l.desc.mediaType, l.blob)), blob(bb.configDesc.mediaType, bb.config), blob(bb.desc.mediaType, bb.manifest)];
    writeLayout(layout, blobs, [{ desc: bb.desc, ref: 'bb' }]);
    const seed = await cli('copy', '-q', `oci:${layout}:bb`, dockerImg);
    assert.equal(seed.code, 0, seed.stderr);
    assert.match(seed.stderr, /^$/);

    const plain = await cli('copy', '-q', dockerImg, `oci:${join(T, 'plain')}:v1`);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout.trim(), bb.desc.digest);
    assert.equal(plain.stderr.match(/umoci and skopeo will not address it by tag/g)?.length, 1);
    assert.match(plain.stderr, /\(--manifest-format 'oci' converts it\)/, 'the library\'s option named as the flag');

    const conv = await cli('copy', '-q', '--format', 'oci', dockerImg, `oci:${join(T, 'umoci')}:v1`);
    assert.equal(conv.code, 0, conv.stderr);
    assert.notEqual(conv.stdout.trim(), bb.desc.digest);
    assert.doesNotMatch(conv.stderr, /umoci/);
    const bundle = join(T, 'bundle');
    await execFileAsync('umoci', ['unpack', '--rootless', '--image', `${join(T, 'umoci')}:v1`, bundle]);
    assert.equal(readFileSync(join(bundle, 'rootfs', 'etc', 'regctl-test'), 'utf8'), 'second layer\n');
    const toDocker = await cli('copy', '-q', '--format', 'docker', `oci:${join(T, 'umoci')}:v1`, `${reg.host}/test/bb-again:1`);
    assert.equal(toDocker.stdout.trim(), bb.desc.digest, 'converted back: the same bytes as the Docker original');

    const ab = await cli('copy', '-q', '--format', 'oci', dockerImg, `oci:${join(T, 'ab')}:a/b`);
    assert.equal(ab.code, 0, ab.stderr);
    const index = JSON.parse(readFileSync(join(T, 'ab', 'index.json'), 'utf8'));
    assert.deepEqual(index.manifests[0].annotations, { 'org.opencontainers.image.ref.name': 'a/b' });
    const sk = await execFileAsync('skopeo', ['inspect', '--raw', `oci:${join(T, 'ab')}:a/b`], { encoding: 'buffer' });
    assert.equal(sha256(sk.stdout), ab.stdout.trim());
    for (const bad of ['bad tag', '-x', 'a//b', 'x_']) {
      const r = await cli('copy', dockerImg, `oci:${join(T, 'bad')}:${bad}`);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    }
    assert.ok(!existsSync(join(T, 'bad')), 'nothing written for a bad name');
  });

  test('foreign layers are skipped by default and copied with --include-nondistributable, never crashing', async () => {
    const foreign = { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: sha256('not here'), size: 8, urls: ['https://example.invalid/layer'] };
    const real = await makeLayer([{ name: 'f', body: 'foreign test\n' }]);
    const config = blob('application/vnd.docker.container.image.v1+json', json({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256('foreign diff'), real.diffId] } }));
    const manifest = blob('application/vnd.docker.distribution.manifest.v2+json', json({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: config.desc, layers: [foreign, real.desc] }));
    const layout = join(T, 'foreign');
    writeLayout(layout, [blob(real.desc.mediaType, real.blob), config, manifest], [{ desc: manifest.desc, ref: 'f' }]);
    const env = home.env;
    const push = await runBin(['copy', '-q', `oci:${layout}:f`, `${reg.host}/test/foreign:1`], env);
    assert.equal(push.code, 0, push.stderr);
    const copy = await runBin(['copy', '-q', `${reg.host}/test/foreign:1`, `${reg.host}/test/foreign2:1`], env);
    assert.equal(copy.code, 0, copy.stderr);
    const file = join(T, 'foreign.tar');
    const save = await runBin(['save', '-q', `${reg.host}/test/foreign:1`, '-o', file], env);
    assert.equal(save.code, 0, save.stderr);
    const load = await runBin(['load', '-i', file], { ...env, REGCTL_STORE: join(T, 'store-foreign') });
    assert.equal(load.code, 0, load.stderr);
    const all = await runBin(['copy', '--include-nondistributable', `${reg.host}/test/foreign:1`, `oci:${join(T, 'foreign-all')}:f`], env);
    assert.equal(all.code, 3, all.stderr);
    for (const r of [push, copy, save, load, all]) assert.doesNotMatch(r.stderr, /Unhandled|\n\s+at /);
  });
});

// get-file, history and check-base against the real registry, judged by umoci (its unpacked rootfs), a real dockerd
// (`docker history` of the same image loaded) and the registry itself (a base tag moved on).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readlink, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { run } from '../src/cli.js';
import { humanSize } from '../src/output/bytes.js';
import { LayerListing, resolvePath } from '../src/image/layer-fs.js';
import { checkBase, getFile, history } from '../src/index.js';
import { startDockerd } from './helpers/dockerd.js';
import { busyboxImage, makeLayer, type TarEntry, type TestLayer } from './helpers/images.js';
import { runInstalled } from './helpers/installed.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, which, type Home } from './helpers/run-cli.js';
import { seedArtifact, seedIndex, seedManifest } from './helpers/seed.js';
import { readAll, sha256 } from './helpers/bytes.js';

const execFileAsync = promisify(execFile);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

interface Step {
  created: string;
  created_by: string;
  empty_layer?: boolean;
  comment?: string;
}

/** An OCI image of these layers and history steps, pushed to `repo:tag`; its manifest digest. */
async function pushImage(reg: RegistryHandle, repo: string, tag: string, layers: TestLayer[], steps?: Step[], annotations?: Record<string, string>) {
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-05-06T07:08:09Z',
    config: { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: steps ?? layers.map((_, i) => ({ created: `2024-05-06T07:08:0${i}Z`, created_by: `step ${i}` })),
  }));
  const doc = {
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256(config), size: config.length },
    layers: layers.map((l) => l.desc),
    ...(annotations ? { annotations } : {}),
  };
  return (await seedManifest({ url: reg.url }, repo, tag, doc, [...layers.map((l) => l.blob), config])).digest;
}

/** The image of the get-file judge: whiteouts, an opaque directory, symlinked directories, a link leading out of the root. */
async function filesystemLayers(tool: Buffer): Promise<TestLayer[]> {
  const bottom = await makeLayer([
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/os-release', body: 'ID=base\n' },
    { name: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\n' },
    { name: 'etc/hostname', body: 'base-host\n' },
    { name: 'usr/', type: 'directory', mode: 0o755 },
    { name: 'usr/share/', type: 'directory', mode: 0o755 },
    { name: 'usr/share/doc/', type: 'directory', mode: 0o755 },
    { name: 'usr/share/doc/a.txt', body: 'a, hidden by the opaque directory above\n' },
    { name: 'usr/share/doc/b.txt', body: 'b\n' },
    { name: 'opt/', type: 'directory', mode: 0o755 },
    { name: 'opt/data/', type: 'directory', mode: 0o755 },
    { name: 'opt/data/x.txt', body: 'data x\n' },
    { name: 'lib/', type: 'directory', mode: 0o755 },
    { name: 'lib/real/', type: 'directory', mode: 0o755 },
    { name: 'lib/real/lib.txt', body: 'the real lib\n' },
  ]);
  // plain tar: an uncompressed layer
  const middle = await makeLayer([
    { name: 'etc/', type: 'directory', mode: 0o755 },
    { name: 'etc/.wh.passwd', body: '' },
    { name: 'etc/escape', type: 'symlink', linkname: '../../../../etc/hostname' },
    { name: 'usr/share/doc/', type: 'directory', mode: 0o755 },
    { name: 'usr/share/doc/.wh..wh..opq', body: '' },
    { name: 'usr/share/doc/c.txt', body: 'c from the opaque directory\n' },
    { name: 'data', type: 'symlink', linkname: '/opt/data' },
    { name: 'lib/link', type: 'symlink', linkname: 'real' },
  ], { gzip: false });
  middle.desc.mediaType = 'application/vnd.oci.image.layer.v1.tar';
  const top = await makeLayer([
    { name: 'etc/os-release', body: 'ID=top\n' },
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/tool', body: tool, mode: 0o755 },
    { name: 'bin/hard', type: 'link', linkname: 'lib/real/lib.txt' },
  ]);
  top.desc.mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip';
  bottom.desc.mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip';
  return [bottom, middle, top];
}

/** A path resolved in an unpacked rootfs as the kernel would inside a chroot: symlinks followed, never above `root`. */
async function readInRoot(root: string, path: string): Promise<Buffer | undefined> {
  const todo = path.split('/');
  const cur: string[] = [];
  let links = 0;
  while (todo.length) {
    const part = todo.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      cur.pop();
      continue;
    }
    const st = await lstat(join(root, ...cur, part)).catch(() => undefined);
    if (!st) return undefined;
    if (st.isSymbolicLink()) {
      assert.ok(++links < 40, 'symlink loop');
      const target = await readlink(join(root, ...cur, part));
      if (target.startsWith('/')) cur.length = 0;
      todo.unshift(...target.split('/'));
      continue;
    }
    cur.push(part);
  }
  return readFile(join(root, ...cur));
}

describe('inspection verbs: get-file, history, check-base', () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  let fsImage: string;
  const tool = randomBytes(1536 * 1024); // past the 1 MiB get-file keeps from its first read: streamed from a second
  const cli = (...args: string[]) => runCli(args, home.env);

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    home.env.REGCTL_STORE = join(home.dir, 'store');
    T = await mkdtemp(join(tmpdir(), 'regctl-inspect-'));
    fsImage = `${reg.host}/inspect/fs:1`;
    await pushImage(reg, 'inspect/fs', '1', await filesystemLayers(tool));
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(T, { recursive: true, force: true });
  });

  test('resolvePath: whiteouts, opaque directories, symlinks kept inside the root, loops', () => {
    const layer = (entries: [string, string, string?][]) => {
      const l = new LayerListing();
      entries.forEach(([name, type, link], i) => l.add(name, type, i, 1, 0o644, link));
      return l;
    };
    const top = layer([['a/.wh.gone', 'file'], ['b/.wh..wh..opq', 'file'], ['b/new', 'file'], ['up', 'symlink', '../../../../a/kept'], ['loop1', 'symlink', 'loop2'], ['loop2', 'symlink', '/loop1']]);
    const bottom = layer([['a/gone', 'file'], ['a/kept', 'file'], ['b/old', 'file']]);
    assert.deepEqual(resolvePath([top], false, 'a/kept'), { state: 'undecided' }, 'a lower layer may still hold it');
    assert.equal(resolvePath([top, bottom], true, 'a/kept').state, 'file');
    assert.deepEqual(resolvePath([top], false, 'a/gone'), { state: 'absent', name: 'a/gone' }, 'a whiteout decides without the lower layer');
    assert.deepEqual(resolvePath([top], false, 'b/old'), { state: 'absent', name: 'b/old' }, 'an opaque directory hides the lower ones');
    assert.deepEqual(resolvePath([top, bottom], true, '/up'), { state: 'file', layer: 1, name: 'a/kept', entry: bottom.entries.get('a/kept')! });
    assert.equal(resolvePath([top, bottom], true, 'loop1').state, 'loop');
  });

  test('get-file gives what umoci unpacks for 7 paths (whiteout, opaque dir, symlinked dirs, a link leading out, a hard link), exit 3 for what is hidden', { skip: which('umoci') ? false : 'umoci not installed' }, async () => {
    const layout = join(T, 'fs-layout');
    const copied = await cli('copy', '-q', fsImage, `oci:${layout}:x`);
    assert.equal(copied.code, 0, copied.stderr);
    const bundle = join(T, 'fs-bundle');
    await execFileAsync('umoci', ['unpack', '--rootless', '--image', `${layout}:x`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    assert.equal(await readlink(join(rootfs, 'data')), '/opt/data', 'umoci unpacked the symlinked directory');
    const paths = ['/etc/os-release', '/usr/share/doc/c.txt', '/data/x.txt', '/lib/link/lib.txt', '/etc/escape', '/bin/tool', '/bin/hard'];
    for (const image of [fsImage, `oci:${layout}:x`]) {
      for (const path of paths) {
        const want = await readInRoot(rootfs, path);
        assert.ok(want, `umoci's rootfs has ${path}`);
        const r = await cli('get-file', image, path);
        assert.equal(r.code, 0, `${image} ${path}: ${r.stderr}`);
        assert.ok(r.stdoutBytes.equals(want), `${image} ${path}: the bytes umoci unpacked`);
      }
      for (const path of ['/etc/passwd', '/usr/share/doc/a.txt']) {
        assert.equal(await readInRoot(rootfs, path), undefined, `umoci's rootfs lacks ${path}`);
        const r = await cli('get-file', image, path);
        assert.equal(r.code, 3, `${path} is hidden: ${r.stderr}`);
        assert.match(r.stderr, /no such file/);
        assert.equal(r.stdout, '');
      }
    }
    const dir = await cli('get-file', fsImage, '/usr/share/doc');
    assert.equal(dir.code, 2);
    assert.match(dir.stderr, /is a directory/);
  });

  test('get-file -o writes the file atomically; on every transport (store, docker-archive, zstd layers)', async () => {
    const out = join(T, 'tool');
    const r = await cli('get-file', fsImage, '/bin/tool', '-o', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.ok((await readFile(out)).equals(tool));
    const archive = join(T, 'fs.tar');
    assert.equal((await cli('save', fsImage, '-o', archive)).code, 0);
    assert.equal((await cli('pull', '-q', fsImage)).code, 0);
    for (const image of [`docker-archive:${archive}`, `local:${fsImage}`]) {
      const got = await cli('get-file', image, '/lib/link/lib.txt');
      assert.equal(got.code, 0, `${image}: ${got.stderr}`);
      assert.equal(got.stdout, 'the real lib\n', image);
    }
    const zstd = await makeLayer([{ name: 'z/', type: 'directory' }, { name: 'z/file', body: 'from a zstd layer\n' }], { zstd: true });
    const gz = await makeLayer([{ name: 'z/', type: 'directory' }, { name: 'z/under', body: 'below\n' }]);
    gz.desc.mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip';
    await pushImage(reg, 'inspect/zstd', '1', [gz, zstd]);
    const z = await cli('get-file', `${reg.host}/inspect/zstd:1`, 'z/file');
    assert.equal(z.code, 0, z.stderr);
    assert.equal(z.stdout, 'from a zstd layer\n');
    assert.equal((await cli('get-file', `${reg.host}/inspect/zstd:1`, '/z/under')).stdout, 'below\n');
  });

  test('get-file reads only the top layers that decide the path, and checks the layer it reads against its digest', async () => {
    const layout = join(T, 'fs-corrupt');
    assert.equal((await cli('copy', '-q', fsImage, `oci:${layout}:x`)).code, 0);
    // the bottom layer's blob broken: a path the top layer decides never reads it
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(join(layout, 'blobs', 'sha256', index.manifests[0].digest.slice(7)), 'utf8'));
    const [bottom, , top] = manifest.layers as { digest: string }[];
    await writeFile(join(layout, 'blobs', 'sha256', bottom!.digest.slice(7)), 'not the layer');
    const fromTop = await cli('get-file', `oci:${layout}:x`, '/etc/os-release');
    assert.equal(fromTop.code, 0, fromTop.stderr);
    assert.equal(fromTop.stdout, 'ID=top\n');
    const fromBottom = await cli('get-file', `oci:${layout}:x`, '/etc/hostname');
    assert.equal(fromBottom.code, 6, fromBottom.stderr);
    // the top layer's blob with a byte changed at its end: the file's bytes stream, but the digest fails and -o writes nothing
    const topPath = join(layout, 'blobs', 'sha256', top!.digest.slice(7));
    const blob = await readFile(topPath);
    await writeFile(topPath, Buffer.concat([blob, Buffer.from('trailing')]));
    const out = join(T, 'never');
    const bad = await cli('get-file', `oci:${layout}:x`, '/etc/os-release', '-o', out);
    assert.equal(bad.code, 6, bad.stderr);
    assert.equal(existsSync(out), false);
    assert.deepEqual((await readdir(T)).filter((n) => n.startsWith('.never')), [], 'no temp file left');
  });

  test('get-file refuses to write to a terminal without -o; the library streams the file', async () => {
    const stdout = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = new PassThrough();
    const code = await run(['get-file', fsImage, '/bin/tool'], { stdout, stderr, stdin: Readable.from([]), env: home.env, homedir: home.dir, runtime: process });
    assert.equal(code, 2);
    assert.match((await readAll(stderr.end() as unknown as AsyncIterable<unknown>)).toString(), /refusing to write a file's bytes to a terminal/);
    const read = await getFile(fsImage, '/lib/link/lib.txt', { env: home.env, homedir: home.dir });
    assert.equal(read.resolved, '/lib/real/lib.txt');
    assert.equal((await readAll(read.stream)).toString(), 'the real lib\n');
    await assert.rejects(getFile(fsImage, '/etc/passwd', { env: home.env, homedir: home.dir }), { code: 'ERR_FILE_NOT_FOUND', exitCode: 3 });
    // an artifact has no filesystem: said so, not read as a corrupt tar
    await seedArtifact({ url: reg.url }, 'inspect/sbom', '1');
    const artifact = await cli('get-file', `${reg.host}/inspect/sbom:1`, '/sbom.spdx.json');
    assert.equal(artifact.code, 2, artifact.stderr);
    assert.match(artifact.stderr, /is not a filesystem layer \(application\/spdx\+json\)/);
  });
});

describe('history: the rows docker history lists for the same image', () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    T = await mkdtemp(join(tmpdir(), 'regctl-history-'));
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(T, { recursive: true, force: true });
  });

  const steps: Step[] = [
    { created: '2023-03-01T10:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ' },
    { created: '2023-03-01T10:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
    { created: '2023-04-02T11:00:00Z', created_by: 'RUN /bin/sh -c echo a command longer than forty-five characters > /etc/long # buildkit', comment: 'buildkit.dockerfile.v0' },
    { created: '2023-04-02T11:00:05Z', created_by: 'ENV A=b', empty_layer: true, comment: 'buildkit.dockerfile.v0' },
    { created: '2023-04-02T11:00:09Z', created_by: 'COPY app /app # buildkit', comment: 'buildkit.dockerfile.v0' },
  ];

  async function multiLayer(): Promise<TestLayer[]> {
    const entries: TarEntry[][] = [
      [{ name: 'bin/', type: 'directory' }, { name: 'bin/busybox', body: randomBytes(50_000), mode: 0o755 }, { name: 'bin/sh', type: 'symlink', linkname: 'busybox' }],
      [{ name: 'etc/', type: 'directory' }, { name: 'etc/long', body: 'a command\n' }, { name: 'etc/.wh.gone', body: '' }],
      [{ name: 'app/', type: 'directory' }, { name: 'app/one', body: randomBytes(3000) }, { name: 'app/two', body: 'x'.repeat(1234) }, { name: 'app/hard', type: 'link', linkname: 'app/two' }],
    ];
    const layers = [];
    for (const e of entries) {
      const l = await makeLayer(e);
      l.desc.mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip';
      layers.push(l);
    }
    return layers;
  }

  test('busybox and a multi-layer image with empty steps: created-by, created, sizes and empty rows as dockerd has them', { skip: which('dockerd') && which('busybox') ? false : 'dockerd or busybox not installed' }, async () => {
    const bb = await busyboxImage(which('busybox'));
    const bbDigest = (await seedManifest({ url: reg.url }, 'hist/busybox', '1', JSON.parse(bb.manifest.toString()), [...bb.layers.map((l) => l.blob), bb.config])).digest;
    assert.equal(bbDigest, bb.desc.digest);
    await pushImage(reg, 'hist/multi', '1', await multiLayer(), steps);
    const d = await startDockerd();
    try {
      for (const name of ['hist/busybox:1', 'hist/multi:1']) {
        const image = `${reg.host}/${name}`;
        const archive = join(T, `${name.replace(/[/:]/g, '-')}.tar`);
        const saved = await runCli(['save', image, '-o', archive], home.env);
        assert.equal(saved.code, 0, saved.stderr);
        const loaded = await d.docker(['load', '-i', archive]);
        assert.equal(loaded.code, 0, loaded.stderr);
        const dockerRows = async (human: boolean) => {
          const r = await d.docker(['history', '--no-trunc', `--human=${human}`, '--format', '{{json .}}', image]);
          assert.equal(r.code, 0, r.stderr);
          return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ID: string; CreatedAt: string; CreatedBy: string; Size: string; Comment: string });
        };
        const exact = await dockerRows(false);
        const human = await dockerRows(true);
        const ours = await runCli(['history', '--no-trunc', '--format', 'json', image], home.env);
        assert.equal(ours.code, 0, ours.stderr);
        const rows = JSON.parse(ours.stdout).rows as { created?: string; createdBy: string; comment: string; emptyLayer: boolean; unpackedSize: number }[];
        assert.equal(rows.length, exact.length, `${name}: as many rows as docker history`);
        rows.forEach((row, i) => {
          const theirs = exact[i]!;
          assert.equal(row.createdBy, theirs.CreatedBy, `${name} row ${i}: created by`);
          assert.equal(Date.parse(row.created!), Date.parse(theirs.CreatedAt), `${name} row ${i}: created`);
          assert.equal(row.unpackedSize, Number(theirs.Size), `${name} row ${i}: size`);
          assert.equal(row.comment, theirs.Comment, `${name} row ${i}: comment`);
          if (row.emptyLayer) assert.equal(theirs.Size, '0', `${name} row ${i}: docker's empty step has no size`);
        });
        assert.equal(rows.filter((r) => r.emptyLayer).length, name.includes('multi') ? 2 : 0);
        const sizes = await runCli(['history', '--format', '{{.Size}}', image], home.env);
        assert.deepEqual(sizes.stdout.trim().split('\n'), human.map((h) => h.Size), `${name}: sizes printed as docker prints them`);
        const cut = await runCli(['history', '--format', '{{.CreatedBy}}', image], home.env);
        const dockerCut = await d.docker(['history', '--format', '{{.CreatedBy}}', image]);
        assert.equal(cut.stdout, dockerCut.stdout, `${name}: CREATED BY cut as docker cuts it`);
      }
    } finally {
      await d.stop();
    }
  });

  test('history text: newest first, empty steps marked, --compressed reads no layer and says so', async () => {
    const layers = await multiLayer();
    await pushImage(reg, 'hist/text', '1', layers, steps);
    const image = `${reg.host}/hist/text:1`;
    const r = await runCli(['history', image], home.env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^LAYER\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    assert.equal(lines.length, 6);
    assert.match(lines[1]!, new RegExp(`^${layers[2]!.desc.digest.slice(7, 19)}\\s.*COPY app /app # buildkit\\s+4\\.23kB\\s+buildkit\\.dockerfile\\.v0$`));
    assert.match(lines[2]!, /^<empty>\s.*ENV A=b\s+0B\s/);
    assert.match(lines[3]!, /RUN \/bin\/sh -c echo a command longer than fo…/);
    assert.match(lines[4]!, /^<empty>\s.*CMD \["sh"\]\s+0B$/);
    // layers gone from the registry: --compressed still answers from the manifest, and says its sizes are compressed
    for (const l of layers) await fetch(`${reg.url}/v2/hist/text/blobs/${l.desc.digest}`, { method: 'DELETE' });
    const compressed = await runCli(['history', '--compressed', image], home.env);
    assert.equal(compressed.code, 0, compressed.stderr);
    assert.match(compressed.stdout.split('\n')[0]!, /COMPRESSED SIZE/);
    assert.match(compressed.stdout.split('\n')[1]!, new RegExp(`COPY app /app # buildkit\\s+${humanSize(layers[2]!.desc.size).replace('.', '\\.')}\\s`));
    const json = await history(image, { env: home.env, homedir: home.dir, unpacked: false });
    assert.deepEqual(json.rows.map((row) => row.size), [layers[2]!.desc.size, 0, layers[1]!.desc.size, 0, layers[0]!.desc.size]);
    // an index: the platform asked for
    const index = await seedIndex({ url: reg.url }, 'hist/multi-arch', '1', [{ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'amd64' }]);
    const arm = await runCli(['history', '--platform', 'linux/arm64', '--format', 'json', `${reg.host}/hist/multi-arch:1`], home.env);
    assert.equal(arm.code, 0, arm.stderr);
    assert.equal(JSON.parse(arm.stdout).digest, index.manifests[0]!.digest);
    assert.deepEqual(JSON.parse(arm.stdout).platform, { os: 'linux', architecture: 'arm64' });
    const unpacked = await runCli(['history', image], home.env);
    assert.equal(unpacked.code, 3, `unpacked sizes need the layers: ${unpacked.stderr}`);
  });
});

describe('check-base: the base annotations append and rebase write', () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    T = await mkdtemp(join(tmpdir(), 'regctl-base-'));
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(T, { recursive: true, force: true });
  });

  const layerOf = async (text: string) => {
    const l = await makeLayer([{ name: 'f', body: text }]);
    l.desc.mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip';
    return l;
  };

  test('append records its base: exit 0 while the base tag stays, 1 with the new digest once it moves, 2 for an image naming none', async () => {
    const base = `${reg.host}/base/os:3`;
    const first = await pushImage(reg, 'base/os', '3', [await layerOf('one')]);
    const dir = await mkdtemp(join(T, 'add-'));
    await writeFile(join(dir, 'app.txt'), 'app\n');
    const app = `${reg.host}/team/app:1`;
    const made = await runCli(['append', base, '--dir', dir, '-t', app, '-q'], home.env);
    assert.equal(made.code, 0, made.stderr);
    const manifest = JSON.parse((await runCli(['manifest', 'get', '--format', 'raw', app], home.env)).stdout);
    assert.deepEqual(manifest.annotations, { 'org.opencontainers.image.base.name': base, 'org.opencontainers.image.base.digest': first });
    const current = await runCli(['check-base', app], home.env);
    assert.equal(current.code, 0, current.stderr);
    assert.equal(current.stdout, `current: ${base} is ${first}\n`);
    // the base tag moves on
    const second = await pushImage(reg, 'base/os', '3', [await layerOf('two')]);
    const changed = await runCli(['check-base', app], home.env);
    assert.equal(changed.code, 1, changed.stderr);
    assert.equal(changed.stdout, `changed: ${base} is now ${second} (the image was built on ${first})\n`);
    const json = await runCli(['check-base', '--format', 'json', app], home.env);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(json.stdout), { base, recordedDigest: first, currentDigest: second, current: false, method: 'digest' });
    // an image that names no base
    const none = await runCli(['check-base', base], home.env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /does not say which image it is built on/);
    await assert.rejects(checkBase(base, { env: home.env, homedir: home.dir }), { code: 'ERR_BASE_UNKNOWN', exitCode: 2 });
    // --base: the image's layers compared with the base's
    const byLayers = await runCli(['check-base', '--base', `${reg.host}/base/os@${first}`, app, '--format', '{{.Current}} {{.Method}}'], home.env);
    assert.equal(byLayers.stdout, 'true layers\n', byLayers.stderr);
  });

  test('an index appended onto: each platform\'s image records the base index, checked per platform', async () => {
    const platforms = [{ os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 'amd64' }];
    const base = `${reg.host}/base/multi:1`;
    const first = await seedIndex({ url: reg.url }, 'base/multi', '1', platforms);
    const dir = await mkdtemp(join(T, 'idx-'));
    await writeFile(join(dir, 'app.txt'), 'app\n');
    const app = `${reg.host}/team/multi-app:1`;
    const made = await runCli(['append', base, '--dir', dir, '-t', app, '-q'], home.env);
    assert.equal(made.code, 0, made.stderr);
    for (const p of ['linux/arm64', 'linux/amd64']) {
      const r = await runCli(['check-base', '--platform', p, '--format', '{{.RecordedDigest}} {{.Current}}', app], home.env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${first.digest} true\n`, p);
    }
    const moved = await seedIndex({ url: reg.url }, 'base/multi', '1', [platforms[0]!]);
    const r = await runCli(['check-base', '--platform', 'linux/arm64', app], home.env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, new RegExp(`^changed: ${base} is now ${moved.digest} `));
  });

  test('rebase records the new base; an append written back to its own tag keeps the base it had', async () => {
    const oldBase = `${reg.host}/base/old:1`;
    const newBase = `${reg.host}/base/new:1`;
    const oldLayer = await layerOf('old base');
    await pushImage(reg, 'base/old', '1', [oldLayer]);
    const newDigest = await pushImage(reg, 'base/new', '1', [await layerOf('new base')]);
    await pushImage(reg, 'team/svc', '1', [oldLayer, await layerOf('service')]);
    const svc = `${reg.host}/team/svc:1`;
    const rebased = await runCli(['rebase', svc, '--old-base', oldBase, '--new-base', newBase], home.env);
    assert.equal(rebased.code, 0, rebased.stderr);
    const r = await runCli(['check-base', '--format', '{{.Base}} {{.CurrentDigest}} {{.Current}}', svc], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${newBase} ${newDigest} true\n`);
    const dir = await mkdtemp(join(T, 'more-'));
    await writeFile(join(dir, 'more.txt'), 'more\n');
    assert.equal((await runCli(['append', svc, '--dir', dir], home.env)).code, 0);
    const again = await checkBase(svc, { env: home.env, homedir: home.dir });
    assert.deepEqual([again.base, again.current], [newBase, true]);
  });
});

describe('installed regctl: get-file, history, check-base', () => {
  let reg: RegistryHandle;
  let home: Home;
  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  test('the three commands through the installed package', async () => {
    const layer = await makeLayer([{ name: 'etc/', type: 'directory' }, { name: 'etc/motd', body: 'hello from the image\n' }]);
    layer.desc.mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip';
    const baseDigest = await pushImage(reg, 'i/base', '1', [layer]);
    const base = `${reg.host}/i/base:1`;
    const app = `${reg.host}/i/app:1`;
    await pushImage(reg, 'i/app', '1', [layer], undefined, { 'org.opencontainers.image.base.name': base, 'org.opencontainers.image.base.digest': baseDigest });
    const file = await runInstalled(['get-file', app, '/etc/motd'], home.env);
    assert.equal(file.code, 0, file.stderr);
    assert.equal(file.stdout, 'hello from the image\n');
    assert.equal((await runInstalled(['get-file', app, '/etc/none'], home.env)).code, 3);
    const hist = await runInstalled(['history', '--format', '{{.CreatedBy}} {{.Size}}', app], home.env);
    assert.equal(hist.code, 0, hist.stderr);
    assert.equal(hist.stdout, 'step 0 21B\n', 'the unpacked size: the bytes of /etc/motd');
    const checked = await runInstalled(['check-base', app], home.env);
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(checked.stdout, `current: ${base} is ${baseDigest}\n`);
  });
});

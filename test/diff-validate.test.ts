// diff (manifest, config, layers and flattened files of two images, across transports) and validate (every
// manifest and blob of an image, on every transport), against the real registry and its storage directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { diffImages, InvalidContentError, validate } from '../src/index.js';
import { sha256 } from './helpers/bytes.js';
import { busyboxImage, tarOf } from './helpers/images.js';
import { runInstalled } from './helpers/installed.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, which, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, type SeededImage } from './helpers/seed.js';

const hex = (digest: string) => digest.slice('sha256:'.length);
const execFileAsync = promisify(execFile);
const umociMissing = ['umoci', 'busybox'].filter((b) => !which(b));
const umociSkip = umociMissing.length ? `not installed: ${umociMissing.join(', ')}` : false;

/** A tree as `path type mode size digest` lines (`path dir mode`, `path symlink -> target`), owners aside (rootless). */
async function treeOf(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const inTree = rel ? `${rel}/${name}` : name;
      const st = await lstat(path);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out.push(`${inTree} dir ${mode}`);
        await walk(path, inTree);
      } else if (st.isSymbolicLink()) out.push(`${inTree} symlink -> ${await readlink(path)}`);
      else out.push(`${inTree} file ${mode} ${st.size} ${sha256(await readFile(path))}`);
    }
  };
  await walk(root, '');
  return out;
}

describe('diff and validate', () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  const cli = (...args: string[]) => runCli(args, home.env);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** An image of three layers: files, links and a directory; then one with a whiteout and an opaque directory. */
  const layersOf = async () => {
    const base = await tarOf([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/os-release', body: 'ID=test\n', mode: 0o644 },
      { name: 'etc/motd', body: 'hello\n', mode: 0o644 },
      { name: 'opt/', type: 'directory', mode: 0o755 },
      { name: 'opt/old/', type: 'directory', mode: 0o700 },
      { name: 'opt/old/a.txt', body: 'a\n', mode: 0o600 },
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/tool', body: '#!/bin/sh\necho tool\n', mode: 0o755 },
      { name: 'bin/tool-link', type: 'symlink', linkname: 'tool' },
      { name: 'bin/tool-hard', type: 'link', linkname: 'bin/tool' },
    ]);
    const upper = await tarOf([
      { name: 'etc/.wh.motd', body: '' },
      { name: 'opt/', type: 'directory', mode: 0o755 },
      { name: 'opt/.wh..wh..opq', body: '' },
      { name: 'opt/new.txt', body: 'new\n', mode: 0o644 },
    ]);
    return { base, upper };
  };
  const seedApp = async (repo: string): Promise<SeededImage> => {
    const { base, upper } = await layersOf();
    return seedImage({ url: reg.url }, repo, '1', { layers: [base, upper], mediaType: 'oci' });
  };

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    home.env.REGCTL_STORE = join(home.dir, 'store');
    T = await mkdtemp(join(tmpdir(), 'regctl-diffval-'));
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(T, { recursive: true, force: true });
  });

  test('diff of an image and its mutate --label copy shows exactly the label, in text and JSON; exit 1', async () => {
    await seedApp('diff/label');
    const image = `${reg.host}/diff/label:1`;
    const copy = `${reg.host}/diff/label:labelled`;
    await ok('mutate', '-q', image, '--label', 'tier=web', '-t', copy);
    const text = await cli('diff', image, copy);
    assert.equal(text.code, 1, text.stderr);
    const lines = text.stdout.split('\n');
    const section = (name: string) => {
      const at = lines.indexOf(`${name}:`);
      if (at < 0) return [];
      const end = lines.findIndex((l, i) => i > at && !l.startsWith('  '));
      return lines.slice(at + 1, end < 0 ? undefined : end);
    };
    assert.deepEqual(section('config'), ['  + labels.tier: "web"']);
    assert.deepEqual(section('layers'), [], 'the layers are the same: no layers section');
    assert.deepEqual(section('manifest').map((l) => l.split(':')[0]), ['  ~ digest', '  ~ config.digest', '  ~ config.size']);

    const json = await cli('diff', '--format', 'json', image, copy);
    assert.equal(json.code, 1, json.stderr);
    const d = JSON.parse(json.stdout);
    assert.equal(d.equal, false);
    assert.deepEqual(d.config, [{ field: 'labels.tier', after: 'web' }]);
    assert.deepEqual(d.layers.map((l: { status: string }) => l.status), ['same', 'same']);
    assert.deepEqual(d.manifest.map((c: { field: string }) => c.field), ['digest', 'config.digest', 'config.size']);

    const tmpl = await cli('diff', '--format', '{{range .Config}}{{.Field}}={{.After}}{{end}}', image, copy);
    assert.equal(tmpl.code, 1, tmpl.stderr);
    assert.equal(tmpl.stdout, 'labels.tier=web\n');
  });

  test('diff --files of an image and its append copy shows exactly the appended files, whiteouts applied', async () => {
    await seedApp('diff/files');
    const image = `${reg.host}/diff/files:1`;
    const copy = `${reg.host}/diff/files:appended`;
    // etc/motd: a file the image had and its upper layer whited out, back again
    const layer = join(T, 'append.tar');
    await writeFile(layer, await tarOf([
      { name: 'hello.txt', body: 'hello\n', mode: 0o644 },
      { name: 'srv/', type: 'directory', mode: 0o755 },
      { name: 'srv/index.html', body: '<h1>hi</h1>\n', mode: 0o640, uid: 33, gid: 33 },
      { name: 'etc/motd', body: 'back\n', mode: 0o644 },
    ]));
    await ok('append', '-q', image, '-f', layer, '-t', copy);
    const r = await cli('diff', '--files', '--format', 'json', image, copy);
    assert.equal(r.code, 1, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.deepEqual(d.files.map((f: { status: string; path: string }) => `${f.status} ${f.path}`), [
      'added /etc/motd', 'added /hello.txt', 'added /srv', 'added /srv/index.html',
    ]);
    const html = d.files.find((f: { path: string }) => f.path === '/srv/index.html').after;
    assert.deepEqual(html, { type: 'file', size: 12, mode: 0o640, uid: 33, gid: 33, digest: `sha256:${createHashHex('<h1>hi</h1>\n')}` });
    assert.deepEqual(d.layers.map((l: { status: string }) => l.status), ['same', 'same', 'added']);

    const text = await cli('diff', '--files', image, copy);
    assert.equal(text.code, 1, text.stderr);
    const files = text.stdout.split('\n').slice(text.stdout.split('\n').indexOf('files:') + 1).filter(Boolean);
    assert.deepEqual(files.map((l) => l.split(' (')[0]), ['  + /etc/motd', '  + /hello.txt', '  + /srv', '  + /srv/index.html']);

    // The other way round: the same files, removed.
    const back = JSON.parse((await cli('diff', '--files', '--format', 'json', copy, image)).stdout);
    assert.deepEqual(back.files.map((f: { status: string; path: string }) => `${f.status} ${f.path}`), [
      'removed /etc/motd', 'removed /hello.txt', 'removed /srv', 'removed /srv/index.html',
    ]);
  });

  test('diff --files sees a changed file: content, mode and owner; the library says the same', async () => {
    await seedApp('diff/changed');
    const image = `${reg.host}/diff/changed:1`;
    const copy = `${reg.host}/diff/changed:2`;
    const layer = join(T, 'changed.tar');
    await writeFile(layer, await tarOf([{ name: 'bin/tool', body: '#!/bin/sh\necho new\n', mode: 0o700, uid: 1000, gid: 1000 }]));
    await ok('append', '-q', image, '-f', layer, '-t', copy);
    const d = await diffImages(image, copy, { files: true, env: home.env, homedir: home.dir });
    assert.equal(d.equal, false);
    // bin/tool-hard was a hard link to the old content, in a lower layer: it keeps it
    assert.deepEqual(d.files?.map((f) => [f.status, f.path, f.fields]), [['changed', '/bin/tool', ['size', 'mode', 'uid', 'gid', 'digest']]]);
    const text = await cli('diff', '--files', image, copy);
    assert.match(text.stdout, /~ \/bin\/tool: size 20 -> 19, mode 0755 -> 0700, uid 0 -> 1000, gid 0 -> 1000, digest sha256:[0-9a-f]{64} -> sha256:[0-9a-f]{64}\n/);
  });

  test('diff --files applies whiteouts and opaque directories: the upper layer hides and adds exactly what it says', async () => {
    const { base, upper } = await layersOf();
    await seedImage({ url: reg.url }, 'diff/wh', 'base', { layers: [base], mediaType: 'oci' });
    await seedImage({ url: reg.url }, 'diff/wh', 'both', { layers: [base, upper], mediaType: 'oci' });
    const r = await cli('diff', '--files', '--format', 'json', `${reg.host}/diff/wh:base`, `${reg.host}/diff/wh:both`);
    assert.equal(r.code, 1, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.deepEqual(d.files.map((f: { status: string; path: string }) => `${f.status} ${f.path}`), [
      'removed /etc/motd', 'added /opt/new.txt', 'removed /opt/old', 'removed /opt/old/a.txt',
    ]);
    assert.deepEqual(d.layers.map((l: { status: string }) => l.status), ['same', 'added']);
  });

  test('diff --files lists the filesystem umoci unpacks: types, modes, sizes, contents, link targets', { skip: umociSkip }, async () => {
    const { base, upper } = await layersOf();
    const bb = await busyboxImage(which('busybox'));
    const more = await tarOf([
      { name: 'var/', type: 'directory', mode: 0o755 },
      { name: 'var/lib/', type: 'directory', mode: 0o755 },
      { name: 'var/lib/dpkg/', type: 'directory', mode: 0o755 },
      { name: 'var/lib/dpkg/status', body: 'Package: x\n', mode: 0o644 },
      { name: 'bin/setuid', body: 'x', mode: 0o4755 },
    ]);
    const top = await tarOf([
      { name: 'var/lib', body: 'a file now\n', mode: 0o600 },
      { name: 'etc/alt', type: 'symlink', linkname: '../opt' },
      { name: 'bin/.wh.setuid', body: '' },
    ]);
    await seedImage({ url: reg.url }, 'diff/umoci', '1', { layers: [...bb.layers.map((l) => l.tar), base, more, upper, top], mediaType: 'oci' });
    await seedImage({ url: reg.url }, 'diff/umoci', 'tiny', { layers: [await tarOf([{ name: 'zz-tiny', body: '' }])], mediaType: 'oci' });
    const image = `${reg.host}/diff/umoci:1`;
    const layout = join(T, 'umoci-layout');
    await ok('copy', '-q', image, `oci:${layout}:x`);
    const bundle = join(T, 'umoci-bundle');
    await execFileAsync('umoci', ['unpack', '--rootless', '--image', `${layout}:x`, bundle]);
    const unpacked = await treeOf(join(bundle, 'rootfs'));

    const r = await cli('diff', '--files', '--format', 'json', `${reg.host}/diff/umoci:tiny`, image);
    assert.equal(r.code, 1, r.stderr);
    const listed: string[] = [];
    for (const f of JSON.parse(r.stdout).files as Array<{ path: string; status: string; after?: Record<string, unknown> }>) {
      if (f.status === 'removed') {
        assert.equal(f.path, '/zz-tiny');
        continue;
      }
      const a = f.after!;
      const mode = (a.mode as number).toString(8);
      listed.push(a.type === 'dir' ? `${f.path.slice(1)} dir ${mode}` : a.type === 'symlink' ? `${f.path.slice(1)} symlink -> ${a.linkTarget}`
        : `${f.path.slice(1)} ${a.type} ${mode} ${a.size} ${a.digest}`);
    }
    assert.deepEqual(listed.sort(), unpacked.sort());
    assert.ok(unpacked.some((l) => l.startsWith('bin/tool-hard file')), 'the hard link is there, as a file');
    assert.ok(!unpacked.some((l) => l.startsWith('var/lib/dpkg')) && !unpacked.some((l) => l.startsWith('opt/old')) && !unpacked.some((l) => l.startsWith('bin/setuid')));
  });

  test('diff --files: a path a higher layer has something in is a directory (a lower symlink or file there is gone), as flatten writes it', async () => {
    const lower = await tarOf([
      { name: 'srv', type: 'symlink', linkname: '/tmp/elsewhere' },
      { name: 'data', body: 'a file\n', mode: 0o644 },
    ]);
    const higher = await tarOf([
      { name: 'srv/file', body: 'in srv\n', mode: 0o644 },
      { name: 'data/sub', body: 'in data\n', mode: 0o644 },
    ]);
    await seedImage({ url: reg.url }, 'diff/dirs', 'lower', { layers: [lower], mediaType: 'oci' });
    await seedImage({ url: reg.url }, 'diff/dirs', '1', { layers: [lower, higher], mediaType: 'oci' });
    const image = `${reg.host}/diff/dirs:1`;
    const r = JSON.parse((await cli('diff', '--files', '--format', 'json', `${reg.host}/diff/dirs:lower`, image)).stdout);
    assert.deepEqual(r.files.map((f: { status: string; path: string }) => `${f.status} ${f.path}`), [
      'removed /data', 'added /data/sub', 'removed /srv', 'added /srv/file',
    ]);
    await ok('flatten', '-q', image, '-t', `${reg.host}/diff/dirs:flat`);
    const flat = await cli('diff', '--files', '--format', 'json', image, `${reg.host}/diff/dirs:flat`);
    assert.equal(flat.code, 1, flat.stderr);
    assert.deepEqual(JSON.parse(flat.stdout).files, []);
  });

  test('a registry image and its oci: copy are equal (exit 0, nothing printed); files too', async () => {
    await seedApp('diff/same');
    const image = `${reg.host}/diff/same:1`;
    const layout = join(T, 'same-layout');
    await ok('copy', '-q', image, `oci:${layout}:1`);
    const r = await cli('diff', '--files', image, `oci:${layout}:1`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    const json = JSON.parse(await ok('diff', '--format', 'json', image, `oci:${layout}:1`));
    assert.equal(json.equal, true);
    assert.deepEqual(json.config, []);
    // The same files in other layers (flattened into one) are still the same files.
    await ok('flatten', '-q', image, '-t', `oci:${layout}:flat`);
    const flat = await cli('diff', '--files', '--format', 'json', image, `oci:${layout}:flat`);
    assert.equal(flat.code, 1, flat.stderr);
    assert.deepEqual(JSON.parse(flat.stdout).files, []);
  });

  test('diff: an error is exit 2 or more, never 1 (a missing image is 3)', async () => {
    await seedApp('diff/err');
    const r = await cli('diff', `${reg.host}/diff/err:1`, `${reg.host}/diff/err:nope`);
    assert.equal(r.code, 3, r.stderr);
    const bad = await cli('diff', `${reg.host}/diff/err:1`, `oci:${join(T, 'no-such-layout')}`);
    assert.ok(bad.code >= 2, `exit ${bad.code}: ${bad.stderr}`);
  });

  test('validate passes a good image on the registry, the local store, an oci: layout and a docker-archive', async () => {
    const seeded = await seedApp('val/good');
    const image = `${reg.host}/val/good:1`;
    const layout = join(T, 'good-layout');
    const archive = join(T, 'good.tar');
    const ociArchive = join(T, 'good-oci.tar');
    await ok('copy', '-q', image, `oci:${layout}:1`);
    await ok('save', '-o', archive, image);
    await ok('copy', '-q', image, `oci-archive:${ociArchive}:1`);
    await ok('pull', '-q', image);
    for (const where of [image, `oci:${layout}:1`, `docker-archive:${archive}`, `oci-archive:${ociArchive}:1`, `local:${image}`]) {
      const r = await cli('validate', '--format', 'json', where);
      assert.equal(r.code, 0, `${where}: ${r.stderr}`);
      const v = JSON.parse(r.stdout);
      assert.equal(v.blobs, 3, where);
      assert.equal(v.fast, false);
    }
    const text = await ok('validate', image);
    assert.equal(text, `${image}: valid (1 manifest, 3 blobs, ${(await readTotal(seeded))} read)\n`);
    assert.equal((await cli('validate', '--fast', image)).code, 0);
    for (const where of [`oci:${layout}:1`, `docker-archive:${archive}`, `local:${image}`]) assert.equal((await cli('validate', '--fast', where)).code, 0, where);
  });

  test('validate walks every platform of an index; --platform only one', async () => {
    const index = await seedIndex({ url: reg.url }, 'val/multi', '1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
    const image = `${reg.host}/val/multi:1`;
    const all = JSON.parse(await ok('validate', '--format', 'json', image));
    assert.equal(all.manifests, 3);
    assert.equal(all.digest, index.digest);
    const one = JSON.parse(await ok('validate', '--format', 'json', '--platform', 'linux/arm64', image));
    assert.equal(one.manifests, 2);
    // a blob of the arm64 image only, gone from storage: found by the whole walk, not by the amd64 one
    const arm = index.manifests.find((m) => m.platform.architecture === 'arm64')!;
    const armManifest = JSON.parse(await ok('manifest', 'get', '--format', 'json', `${reg.host}/val/multi@${arm.digest}`));
    const layer = armManifest.layers[0].digest as string;
    await unlink(blobData(layer));
    const r = await cli('validate', image);
    assert.equal(r.code, 6, r.stderr);
    assert.ok(r.stderr.includes(layer) && r.stderr.includes(arm.digest), r.stderr);
    assert.equal((await cli('validate', '--platform', 'linux/amd64', image)).code, 0);
  });

  test('validate fails (exit 6, naming the blob and its manifest) after a blob is deleted from the registry\'s storage; --fast too', async () => {
    const seeded = await seedApp('val/deleted');
    const image = `${reg.host}/val/deleted:1`;
    assert.equal((await cli('validate', image)).code, 0);
    const gone = seeded.layerDigests[1]!;
    await unlink(blobData(gone));
    for (const args of [['validate', image], ['validate', '--fast', image]]) {
      const r = await cli(...args);
      assert.equal(r.code, 6, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.includes(gone), r.stderr);
      assert.ok(r.stderr.includes(seeded.digest), r.stderr);
      assert.match(r.stderr, /layer 2 .*missing/);
    }
    await assert.rejects(validate(image, { env: home.env, homedir: home.dir, fast: true }), (err: unknown) =>
      err instanceof InvalidContentError && err.exitCode === 6 && err.digest === gone && err.manifest === seeded.digest);
  });

  test('validate fails (exit 6, naming the blob) after a blob is corrupted in an oci: layout, --fast when its size changed', async () => {
    const seeded = await seedApp('val/corrupt');
    const image = `${reg.host}/val/corrupt:1`;
    const layout = join(T, 'corrupt-layout');
    await ok('copy', '-q', image, `oci:${layout}:1`);
    const bad = seeded.layerDigests[0]!;
    const path = join(layout, 'blobs', 'sha256', hex(bad));
    const bytes = await readFile(path);
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff; // same size, other bytes
    await writeFile(path, bytes);
    const r = await cli('validate', `oci:${layout}:1`);
    assert.equal(r.code, 6, r.stderr);
    assert.ok(r.stderr.includes(bad) && r.stderr.includes(seeded.digest), r.stderr);
    assert.match(r.stderr, /layer 1 .*digest mismatch/);
    assert.equal((await cli('validate', '--fast', `oci:${layout}:1`)).code, 0, '--fast checks sizes only');
    await writeFile(path, bytes.subarray(1));
    const fast = await cli('validate', '--fast', `oci:${layout}:1`);
    assert.equal(fast.code, 6, fast.stderr);
    assert.match(fast.stderr, /size mismatch/);
  });

  test('the installed regctl: diff exits 1 with the label, 0 for the same image; validate exits 0, then 6', async () => {
    const seeded = await seedApp('inst/app');
    const image = `${reg.host}/inst/app:1`;
    await ok('mutate', '-q', image, '--label', 'tier=web', '-t', `${reg.host}/inst/app:2`);
    const d = await runInstalled(['diff', '--format', 'json', image, `${reg.host}/inst/app:2`], home.env);
    assert.equal(d.code, 1, d.stderr);
    assert.deepEqual(JSON.parse(d.stdout).config, [{ field: 'labels.tier', after: 'web' }]);
    const same = await runInstalled(['diff', image, image], home.env);
    assert.equal(same.code, 0, same.stderr);
    assert.equal(same.stdout, '');
    const good = await runInstalled(['validate', image], home.env);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /valid \(1 manifest, 3 blobs/);
    await unlink(blobData(seeded.configDigest));
    const badRun = await runInstalled(['validate', image], home.env);
    assert.equal(badRun.code, 6, badRun.stderr);
    assert.ok(badRun.stderr.includes(seeded.configDigest), badRun.stderr);
    assert.match(badRun.stderr, /config of manifest/);
  });

  /** Where the registry keeps a blob's bytes. */
  const blobData = (digest: string) => join(reg.dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex(digest).slice(0, 2), hex(digest), 'data');
  const readTotal = async (s: SeededImage) => {
    const { humanSize } = await import('../src/output/bytes.js');
    const manifest = JSON.parse(s.manifest.toString());
    return humanSize(manifest.config.size + manifest.layers.reduce((n: number, l: { size: number }) => n + l.size, 0));
  };
});

const createHashHex = (text: string) => hex(sha256(text));

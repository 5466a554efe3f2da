// Artifacts as oras moves them: `artifact push` writes oras's layout (checked field by field against the manifests in
// oras's own documentation, test/fixtures/oras, and read back by skopeo), `artifact pull` writes the files back —
// verified, directories unpacked, Helm charts as NAME-VERSION.tgz — and refuses titles and tar entries that would
// land outside its directory. Against the real docker-registry, OCI layouts and oci-archives.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { request } from 'undici';
import { artifactPull, artifactPush } from '../src/index.js';
import { runInstalled } from './helpers/installed.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, spawnCapture, type Home } from './helpers/run-cli.js';
import { blobDescriptor, seedImage, seedManifest } from './helpers/seed.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const EMPTY = Buffer.from('{}');
const FIXTURES = join(import.meta.dirname, 'fixtures', 'oras');
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Every file under `dir` (relative path → bytes; symlinks as `-> target`), for byte-for-byte comparisons. */
async function tree(dir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(join(dir, rel))).sort()) {
    const path = rel ? `${rel}/${name}` : name;
    const st = await lstat(join(dir, path));
    if (st.isDirectory()) Object.assign(out, { [`${path}/`]: '' }, await tree(dir, path));
    else if (st.isSymbolicLink()) out[path] = `-> ${await readlink(join(dir, path))}`;
    else out[path] = (await readFile(join(dir, path))).toString('base64');
  }
  return out;
}

/** A tar+gzip of entries (for hostile directory layers). */
async function tarGz(entries: { name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string }[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const read = (async () => {
    for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    await new Promise<void>((res, rej) => {
      const header = { name: e.name, type: e.type ?? 'file', mode: 0o644, ...(e.linkname ? { linkname: e.linkname } : {}) };
      const done = (err?: Error | null) => (err ? rej(err) : res());
      if ((e.type ?? 'file') === 'file') p.entry(header, e.body ?? '', done);
      else p.entry(header, done);
    });
  }
  p.finalize();
  await read;
  return gzipSync(Buffer.concat(chunks));
}

describe('artifact push, pull and ls', () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  /** Two files and a directory (with a nested directory and a relative symlink). */
  let src: string;
  const cli = (...args: string[]) => runCli(args, home.env);
  const cliIn = (stdin: string, ...args: string[]) => runCli(args, home.env, stdin);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const raw = async (repo: string, ref: string) => {
    const res = await request(`${reg.url}/v2/${repo}/manifests/${ref}`, { headers: { accept: OCI_MANIFEST } });
    assert.equal(res.statusCode, 200);
    return Buffer.from(await res.body.arrayBuffer());
  };
  const blob = async (repo: string, digest: string) => Buffer.from(await (await request(`${reg.url}/v2/${repo}/blobs/${digest}`)).body.arrayBuffer());
  const fresh = (name: string) => mkdtemp(join(T, `${name}-`));

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    T = await mkdtemp(join(tmpdir(), 'regctl-artifact-'));
    src = join(T, 'src');
    await mkdir(join(src, 'docs', 'deep'), { recursive: true });
    await writeFile(join(src, 'notes.md'), '# notes\n');
    await writeFile(join(src, 'model.bin'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256)));
    await writeFile(join(src, 'docs', 'index.html'), '<h1>hi</h1>\n');
    await writeFile(join(src, 'docs', 'deep', 'a.txt'), 'deep\n');
    await symlink('deep/a.txt', join(src, 'docs', 'link'));
  });
  after(async () => {
    await reg?.stop();
    await home?.cleanup();
    if (T) await rm(T, { recursive: true, force: true });
  });

  test('push two files and a directory, pull into an empty directory: the same bytes, the directory unpacked', async () => {
    const ref = `${reg.host}/art/files:v1`;
    const digest = (await ok('artifact', 'push', ref, join(src, 'notes.md'), `${join(src, 'model.bin')}:application/x-model`, join(src, 'docs'))).trim();
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(sha256(await raw('art/files', 'v1')), digest, 'tagged v1, the digest printed');
    const out = await fresh('pull');
    const pulled = await ok('artifact', 'pull', ref, '-o', out);
    assert.deepEqual(pulled.trim().split('\n').sort(), ['docs', 'model.bin', 'notes.md']);
    const want = await tree(src);
    assert.deepEqual(await tree(out), want);
    assert.equal((await lstat(join(out, 'docs', 'link'))).isSymbolicLink(), true);
    const left = (await readdir(out)).filter((n) => n.startsWith('.'));
    assert.deepEqual(left, [], 'no temp files left');
  });

  test('the manifest is oras\'s, field by field: oras-go\'s documented file-store manifest for hello.txt and mydir', async () => {
    const dir = await fresh('oras-go');
    await writeFile(join(dir, 'hello.txt'), 'hello\n');
    await mkdir(join(dir, 'mydir'));
    await writeFile(join(dir, 'mydir', 'foo.txt'), 'foo\n');
    await writeFile(join(dir, 'mydir', 'bar.txt'), 'bar\n');
    const fixture = JSON.parse(await readFile(join(FIXTURES, 'oras-go-targets-manifest.json'), 'utf8'));
    await ok('artifact', 'push', `${reg.host}/art/oras-go:1`, '--artifact-type', 'application/vnd.example',
      '--annotation', `org.opencontainers.image.created=${fixture.annotations['org.opencontainers.image.created']}`,
      `${join(dir, 'hello.txt')}:application/vnd.custom`, `${join(dir, 'mydir')}:application/vnd.custom.tar+gzip`);
    const bytes = await raw('art/oras-go', '1');
    const ours = JSON.parse(bytes.toString());
    // the directory's gzip and tar bytes carry this machine's mtimes: those three values are ours, the rest is oras's
    const layer = ours.layers[1];
    const tarBytes = gunzipSync(await blob('art/oras-go', layer.digest));
    assert.equal(layer.annotations['io.deis.oras.content.digest'], sha256(tarBytes), 'the digest of the uncompressed tar');
    Object.assign(fixture.layers[1], { digest: layer.digest, size: layer.size });
    fixture.layers[1].annotations['io.deis.oras.content.digest'] = layer.annotations['io.deis.oras.content.digest'];
    assert.equal(bytes.toString(), JSON.stringify(fixture), 'byte for byte the documented manifest (hello.txt\'s layer and the config unchanged)');
    // entries under the directory's title, as oras's unpacker requires
    const names: string[] = [];
    const { extract } = await import('tar-stream');
    const ex = extract();
    ex.end(tarBytes);
    for await (const e of ex) {
      names.push(e.header.name);
      e.resume();
    }
    assert.deepEqual(names, ['mydir/', 'mydir/bar.txt', 'mydir/foo.txt']);
  });

  test('the manifest is oras push\'s, byte for byte, and skopeo inspect --raw reads it back', async () => {
    const dir = await fresh('oras-push');
    const fixture = JSON.parse(await readFile(join(FIXTURES, 'oras-push-manifest.json'), 'utf8'));
    const files = fixture.layers.map((l: { annotations: Record<string, string> }) => l.annotations['org.opencontainers.image.title'] as string);
    for (const f of files) await writeFile(join(dir, f), `contents of ${f}\n`);
    const ref = `${reg.host}/art/oras-push:sbom`;
    const digest = (await ok('artifact', 'push', ref, ...files.map((f: string) => join(dir, f)),
      '--annotation', `org.opencontainers.image.created=${fixture.annotations['org.opencontainers.image.created']}`)).trim();
    fixture.layers.forEach((l: { digest: string; size: number }, i: number) => Object.assign(l, blobDescriptor(Buffer.from(`contents of ${files[i]}\n`), OCI_MANIFEST), { mediaType: fixture.layers[i].mediaType, annotations: fixture.layers[i].annotations }));
    // re-order each layer's keys as oras writes them (mediaType, digest, size, annotations)
    fixture.layers = fixture.layers.map((l: Record<string, unknown>) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, annotations: l.annotations }));
    const want = JSON.stringify(fixture);
    const skopeo = await spawnCapture('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], { PATH: process.env.PATH });
    assert.equal(skopeo.code, 0, skopeo.stderr);
    assert.equal(skopeo.stdout, want, 'skopeo reads exactly the manifest oras would have pushed');
    assert.equal(sha256(skopeo.stdoutBytes), digest);
    const doc = JSON.parse(skopeo.stdout);
    assert.equal(doc.artifactType, 'application/vnd.unknown.artifact.v1');
    assert.deepEqual(doc.config, { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(EMPTY), size: 2, data: 'e30=' });
    assert.deepEqual(await blob('art/oras-push', doc.config.digest), EMPTY, 'the empty config blob is there');
  });

  test('a Helm chart in Helm\'s layout pulls as NAME-VERSION.tgz, its provenance beside it', async () => {
    const chart = await tarGz([{ name: 'mychart/Chart.yaml', body: 'apiVersion: v2\nname: mychart\nversion: 0.1.0\n' }]);
    const prov = Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----\n');
    const config = Buffer.from(JSON.stringify({ name: 'mychart', version: '0.1.0', apiVersion: 'v2', description: 'A Helm chart' }));
    await seedManifest({ url: reg.url }, 'art/charts/mychart', '0.1.0', {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: blobDescriptor(config, 'application/vnd.cncf.helm.config.v1+json'),
      layers: [blobDescriptor(chart, 'application/vnd.cncf.helm.chart.content.v1.tar+gzip'), blobDescriptor(prov, 'application/vnd.cncf.helm.chart.provenance.v1.prov')],
      annotations: { 'org.opencontainers.image.title': 'mychart', 'org.opencontainers.image.version': '0.1.0' },
    } as { mediaType: string }, [config, chart, prov]);
    const out = await fresh('helm');
    assert.equal(await ok('artifact', 'pull', `${reg.host}/art/charts/mychart:0.1.0`, '-o', out), 'mychart-0.1.0.tgz\nmychart-0.1.0.tgz.prov\n');
    assert.deepEqual(await readFile(join(out, 'mychart-0.1.0.tgz')), chart);
    assert.deepEqual(await readFile(join(out, 'mychart-0.1.0.tgz.prov')), prov);
  });

  test('hostile titles (../x, an absolute path, through a symlink) are refused, exit 6, nothing written', async () => {
    const outside = await fresh('outside');
    const payload = Buffer.from('owned\n');
    const titles = ['../x', join(outside, 'abs'), 'link/through', 'ok/../../x'];
    for (const [i, title] of titles.entries()) {
      const good = Buffer.from(`fine ${i}\n`);
      await seedManifest({ url: reg.url }, 'art/hostile', `t${i}`, {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example',
        config: { ...blobDescriptor(EMPTY, 'application/vnd.oci.empty.v1+json') },
        layers: [blobDescriptor(good, 'text/plain', { 'org.opencontainers.image.title': 'fine.txt' }), blobDescriptor(payload, 'text/plain', { 'org.opencontainers.image.title': title })],
      } as { mediaType: string }, [EMPTY, good, payload]);
      const parent = await fresh(`hostile${i}`);
      const out = join(parent, 'out');
      await mkdir(out);
      await symlink(outside, join(out, 'link'));
      const r = await cli('artifact', 'pull', `${reg.host}/art/hostile:t${i}`, '-o', out);
      assert.equal(r.code, 6, `${title}: ${r.stderr}`);
      assert.match(r.stderr, /refusing the title/);
      assert.deepEqual(await readdir(out), ['link'], `${title}: nothing written in the directory`);
      assert.deepEqual(await readdir(parent), ['out'], `${title}: nothing written beside it`);
      assert.deepEqual(await readdir(outside), [], `${title}: nothing written outside`);
    }
    assert.equal(existsSync(join(T, 'x')), false);
  });

  test('a directory layer whose entries leave it (.., an escaping symlink, a file through it) is refused, exit 6, nothing written', async () => {
    const outside = await fresh('outside-tar');
    const cases = [
      [{ name: 'docs/', type: 'directory' as const }, { name: 'docs/../../evil', body: 'x' }],
      [{ name: 'docs/', type: 'directory' as const }, { name: 'other/evil', body: 'x' }],
      [{ name: 'docs/l', type: 'symlink' as const, linkname: outside }, { name: 'docs/l/evil', body: 'x' }],
      [{ name: 'docs/l', type: 'symlink' as const, linkname: '../../..' }],
      [{ name: 'docs/d', type: 'symlink' as const, linkname: '.' }, { name: 'docs/d/evil', body: 'x' }],
    ];
    for (const [i, entries] of cases.entries()) {
      const gz = await tarGz(entries);
      await seedManifest({ url: reg.url }, 'art/hostile-tar', `t${i}`, {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example',
        config: blobDescriptor(EMPTY, 'application/vnd.oci.empty.v1+json'),
        layers: [blobDescriptor(gz, 'application/vnd.oci.image.layer.v1.tar+gzip', { 'io.deis.oras.content.unpack': 'true', 'org.opencontainers.image.title': 'docs' })],
      } as { mediaType: string }, [EMPTY, gz]);
      const out = await fresh(`hostile-tar${i}`);
      const r = await cli('artifact', 'pull', `${reg.host}/art/hostile-tar:t${i}`, '-o', out);
      assert.equal(r.code, 6, `case ${i}: ${r.stderr}`);
      assert.match(r.stderr, /refusing the entry/);
      assert.deepEqual(await readdir(out), [], `case ${i}: nothing of the layer left`);
      assert.deepEqual(await readdir(outside), [], `case ${i}: nothing written outside`);
    }
  });

  test('a directory layer that is a gzip bomb is refused while small (exit 6), nothing left', async () => {
    const gz = await tarGz([{ name: 'docs/', type: 'directory' }, { name: 'docs/zeros', body: '\0'.repeat(20 * 1024 * 1024) }]);
    await seedManifest({ url: reg.url }, 'art/bomb', '1', {
      schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example', config: blobDescriptor(EMPTY, 'application/vnd.oci.empty.v1+json'),
      layers: [blobDescriptor(gz, 'application/vnd.oci.image.layer.v1.tar+gzip', { 'io.deis.oras.content.unpack': 'true', 'org.opencontainers.image.title': 'docs' })],
    } as { mediaType: string }, [EMPTY, gz]);
    const out = await fresh('bomb');
    const r = await runCli(['artifact', 'pull', `${reg.host}/art/bomb:1`, '-o', out], { ...home.env, REGCTL_MAX_EXPANSION_RATIO: '2' });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /gzip bomb/);
    assert.deepEqual(await readdir(out), []);
    const allowed = await runCli(['artifact', 'pull', `${reg.host}/art/bomb:1`, '-o', out], { ...home.env, REGCTL_MAX_EXPANSION_RATIO: '5000' });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal((await lstat(join(out, 'docs', 'zeros'))).size, 20 * 1024 * 1024, 'allowed a higher ratio, it is unpacked');
  });

  test('a layer that does not match its digest is not written (exit 6)', async () => {
    const good = Buffer.from('the real bytes\n');
    const desc = blobDescriptor(good, 'text/plain', { 'org.opencontainers.image.title': 'f.txt' });
    const other = Buffer.from('other bytes, same size');
    await seedManifest({ url: reg.url }, 'art/bad', '1', {
      schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: 'application/vnd.example', config: blobDescriptor(EMPTY, 'application/vnd.oci.empty.v1+json'), layers: [desc],
    } as { mediaType: string }, [EMPTY, good]);
    // corrupt the blob in the registry's storage
    const hex = desc.digest.slice(7);
    await writeFile(join(reg.dataDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data'), other.subarray(0, good.length));
    const out = await fresh('bad');
    const r = await cli('artifact', 'pull', `${reg.host}/art/bad:1`, '-o', out);
    assert.equal(r.code, 6, r.stderr);
    assert.deepEqual(await readdir(out), []);
  });

  test('existing files are kept unless --overwrite; --media-type picks layers; untitled layers go by digest', async () => {
    const ref = `${reg.host}/art/pick:1`;
    await ok('artifact', 'push', ref, `${join(src, 'notes.md')}:text/markdown`, join(src, 'model.bin'));
    const out = await fresh('pick');
    await writeFile(join(out, 'notes.md'), 'mine\n');
    const r = await cli('artifact', 'pull', ref, '-o', out);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /exists.*--overwrite/);
    assert.deepEqual(await readdir(out), ['notes.md'], 'nothing written, model.bin included');
    assert.equal(await readFile(join(out, 'notes.md'), 'utf8'), 'mine\n');
    assert.equal(await ok('artifact', 'pull', ref, '-o', out, '--media-type', 'text/markdown', '--overwrite', '--format', '{{range .Files}}{{.Path}} {{.MediaType}}{{end}}'), 'notes.md text/markdown\n');
    assert.deepEqual(await readdir(out), ['notes.md']);
    assert.equal(await readFile(join(out, 'notes.md'), 'utf8'), '# notes\n');
    // an image's layers carry no titles: each written under its digest
    const image = await seedImage({ url: reg.url }, 'art/image', '1', { mediaType: 'oci' });
    const layers = JSON.parse(image.manifest.toString()).layers as { digest: string }[];
    const out2 = await fresh('bydigest');
    assert.equal(await ok('artifact', 'pull', `${reg.host}/art/image:1`, '-o', out2), layers.map((l) => `${l.digest.replace(':', '-')}\n`).join(''));
  });

  test('stdin with --title, --annotation-file (oras\'s format), --config with its media type', async () => {
    const dir = await fresh('annot');
    await writeFile(join(dir, 'config.json'), '{"config":{}}');
    await writeFile(join(dir, 'bar'), 'bar');
    await writeFile(join(dir, 'annotations.json'), JSON.stringify({ $config: { hello: 'config' }, $manifest: { hi: 'manifest' }, [join(dir, 'bar')]: { foo: 'bar' }, 'from-stdin.txt': { kind: 'stdin' } }));
    const r = await cliIn('piped bytes\n', 'artifact', 'push', `${reg.host}/art/annot:1`, '--annotation-file', join(dir, 'annotations.json'),
      '--config', `${join(dir, 'config.json')}:application/vnd.me.config`, '--title', 'from-stdin.txt', '--format', 'json', '--', join(dir, 'bar'), '-:text/plain');
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout);
    const bytes = await raw('art/annot', '1');
    assert.deepEqual(printed, { mediaType: OCI_MANIFEST, digest: sha256(bytes), size: bytes.length });
    const doc = JSON.parse(bytes.toString());
    assert.equal(doc.artifactType, undefined, 'oras leaves artifactType out when --config is given');
    assert.deepEqual(doc.config, { mediaType: 'application/vnd.me.config', digest: sha256('{"config":{}}'), size: 13, annotations: { hello: 'config' } });
    assert.equal(doc.annotations.hi, 'manifest');
    assert.deepEqual(doc.layers[0].annotations, { foo: 'bar', 'org.opencontainers.image.title': 'bar' });
    assert.deepEqual(doc.layers[1], { mediaType: 'text/plain', digest: sha256('piped bytes\n'), size: 12, annotations: { kind: 'stdin', 'org.opencontainers.image.title': 'from-stdin.txt' } });
    const out = await fresh('stdin-out');
    await ok('artifact', 'pull', `${reg.host}/art/annot:1`, '-o', out);
    assert.equal(await readFile(join(out, 'from-stdin.txt'), 'utf8'), 'piped bytes\n');
    assert.equal((await cli('artifact', 'push', `${reg.host}/art/annot:2`, '-')).code, 2, '- without --title');
    assert.equal((await cli('artifact', 'push', `${reg.host}/art/annot:2`, `${join(dir, 'bar')}:notatype`)).code, 2, 'a media type must be type/subtype');
    // oras's FILE[:TYPE]: split at the last colon, so a name with a colon is given with a trailing one
    await writeFile(join(dir, 'hi:txt'), 'colon\n');
    await ok('artifact', 'push', `${reg.host}/art/annot:3`, `${join(dir, 'hi:txt')}:`);
    const colon = JSON.parse((await raw('art/annot', '3')).toString());
    assert.deepEqual([colon.layers[0].mediaType, colon.layers[0].annotations['org.opencontainers.image.title']], ['application/vnd.oci.image.layer.v1.tar', 'hi:txt']);
  });

  test('the annotation file renames a directory (it is packed and pulled under the new title); a title pull would refuse is refused at push', async () => {
    const dir = await fresh('rename');
    await writeFile(join(dir, 'annotations.json'), JSON.stringify({ [join(src, 'docs')]: { 'org.opencontainers.image.title': 'site' } }));
    const ref = `${reg.host}/art/rename:1`;
    await ok('artifact', 'push', ref, '--annotation-file', join(dir, 'annotations.json'), join(src, 'docs'));
    const out = await fresh('rename-out');
    assert.equal(await ok('artifact', 'pull', ref, '-o', out), 'site\n');
    const want = Object.fromEntries(Object.entries(await tree(src)).filter(([k]) => k.startsWith('docs/')).map(([k, v]) => [k.replace(/^docs\//, 'site/'), v]));
    assert.deepEqual(await tree(out), want);
    const r = await cliIn('x', 'artifact', 'push', `${reg.host}/art/rename:2`, '--title', '../escape', '-');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /refusing the title/);
    assert.equal((await cli('artifact', 'push', `${reg.host}/art/rename:2`, '--annotation-file', join(dir, 'nope.json'), join(src, 'docs'))).code, 3);
  });

  test('a relative path is titled as oras titles it (the path as given) and pulled back there', async () => {
    const dir = await fresh('relative');
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'x.txt'), 'x\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await ok('artifact', 'push', `${reg.host}/art/relative:1`, './sub/x.txt');
    } finally {
      process.chdir(cwd);
    }
    const doc = JSON.parse((await raw('art/relative', '1')).toString());
    assert.equal(doc.layers[0].annotations['org.opencontainers.image.title'], 'sub/x.txt');
    const out = await fresh('relative-out');
    assert.equal(await ok('artifact', 'pull', `${reg.host}/art/relative:1`, '-o', out), 'sub/x.txt\n');
    assert.equal(await readFile(join(out, 'sub', 'x.txt'), 'utf8'), 'x\n');
  });

  test('--subject pushes an artifact that artifact ls (and referrers) lists; attach writes the same layout', async () => {
    const image = await seedImage({ url: reg.url }, 'art/app', '1', { mediaType: 'oci' });
    const sbom = join(await fresh('sbom'), 'sbom.json');
    await writeFile(sbom, '{"spdxVersion":"SPDX-2.3"}');
    const pushed = (await ok('artifact', 'push', `${reg.host}/art/app`, '--subject', `${reg.host}/art/app:1`, '--artifact-type', 'application/spdx+json', sbom,
      '--annotation', 'org.opencontainers.image.created=2026-01-01T00:00:00Z')).trim();
    const tree = JSON.parse(await ok('artifact', 'ls', `${reg.host}/art/app:1`, '--format', 'json'));
    assert.equal(tree.subject.digest, image.digest);
    assert.deepEqual(tree.referrers.map((r: { digest: string; artifactType: string }) => [r.digest, r.artifactType]), [[pushed, 'application/spdx+json']]);
    const tags = (await (await request(`${reg.url}/v2/art/app/tags/list`)).body.json()) as { tags: string[] };
    assert.equal(tags.tags.includes('latest'), false, 'pushed by digest: no tag invented');
    const doc = JSON.parse((await raw('art/app', pushed)).toString());
    assert.deepEqual(doc.subject, { mediaType: OCI_MANIFEST, digest: image.digest, size: image.manifest.length });
    // attach is the shortcut over the same push: the same files, type and time give the very same manifest
    const attached = (await ok('attach', `${reg.host}/art/app:1`, '--artifact-type', 'application/spdx+json', sbom, '--annotation', 'org.opencontainers.image.created=2026-01-01T00:00:00Z')).trim();
    assert.equal(attached, pushed);
    const other = await seedImage({ url: reg.url }, 'art/other', '1', { mediaType: 'oci' });
    assert.ok(other);
    assert.equal((await cli('artifact', 'push', `${reg.host}/art/app`, '--subject', `${reg.host}/art/other:1`, sbom)).code, 2, 'a subject of another repository');
  });

  test('an OCI layout and an oci-archive carry an artifact: push there, pull back, copy to a registry and pull again', async () => {
    const layout = join(await fresh('layout'), 'oci');
    const digest = (await ok('artifact', 'push', `oci:${layout}:v1`, join(src, 'notes.md'), join(src, 'docs'))).trim();
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].digest, digest);
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], 'v1');
    const out = await fresh('layout-out');
    await ok('artifact', 'pull', `oci:${layout}:v1`, '-o', out);
    const want = await tree(src);
    const { 'model.bin': _, ...withoutModel } = want;
    assert.deepEqual(await tree(out), withoutModel);
    // an artifact referring to it, listed by artifact ls in the layout itself
    const sig = (await ok('artifact', 'push', `oci:${layout}`, '--subject', `oci:${layout}:v1`, '--artifact-type', 'application/vnd.example.sig', join(src, 'notes.md'))).trim();
    const listed = JSON.parse(await ok('artifact', 'ls', `oci:${layout}:v1`, '--format', 'json'));
    assert.deepEqual(listed.referrers.map((r: { digest: string; artifactType: string }) => [r.digest, r.artifactType]), [[sig, 'application/vnd.example.sig']]);
    // air-gapped: the layout copied into a registry is the same artifact
    await ok('copy', `oci:${layout}:v1`, `${reg.host}/art/carried:v1`);
    const out2 = await fresh('carried-out');
    await ok('artifact', 'pull', `${reg.host}/art/carried:v1`, '-o', out2);
    assert.deepEqual(await tree(out2), withoutModel);
    const archive = join(await fresh('archive'), 'a.tar');
    assert.equal((await ok('artifact', 'push', `oci-archive:${archive}:v1`, join(src, 'notes.md'))).trim().length, 71);
    const out3 = await fresh('archive-out');
    assert.equal(await ok('artifact', 'pull', `oci-archive:${archive}:v1`, '-o', out3), 'notes.md\n');
    assert.equal((await cli('artifact', 'push', `docker-archive:${join(T, 'd.tar')}`, join(src, 'notes.md'))).code, 2, 'a docker archive holds images only');
  });

  test('export of an artifact says it is not an image and that artifact pull fetches it', async () => {
    const ref = `${reg.host}/art/export:1`;
    await ok('artifact', 'push', ref, join(src, 'notes.md'));
    const r = await cli('export', ref, '-o', join(T, 'fs.tar'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /is an artifact \(application\/vnd\.unknown\.artifact\.v1\), not an image/);
    assert.match(r.stderr, /artifact pull/);
    assert.doesNotMatch(r.stderr, /corrupt|Unexpected end/);
    assert.equal(existsSync(join(T, 'fs.tar')), false);
  });

  test('library: artifactPush takes a stream with its title; artifactPull says what it wrote', async () => {
    const opts = { env: home.env, homedir: home.dir };
    const pushed = await artifactPush(`${reg.host}/art/lib:1`, [{ stream: (async function* () { yield Buffer.from('streamed\n'); })(), title: 'notes/streamed.txt' }], { ...opts, artifactType: 'application/vnd.example' });
    assert.equal(pushed.tag, '1');
    assert.equal(pushed.artifactType, 'application/vnd.example');
    const out = await fresh('lib');
    const pulled = await artifactPull(`${reg.host}/art/lib:1`, { ...opts, output: out });
    assert.deepEqual(pulled.files.map((f) => [f.path, f.digest, f.unpacked]), [['notes/streamed.txt', sha256('streamed\n'), false]]);
    assert.equal(pulled.digest, pushed.digest);
    assert.equal(await readFile(join(out, 'notes', 'streamed.txt'), 'utf8'), 'streamed\n');
  });

  test('installed regctl: artifact push, ls and pull', async () => {
    const ref = `${reg.host}/art/installed:1`;
    const push = await runInstalled(['artifact', 'push', ref, join(src, 'notes.md'), join(src, 'docs')], home.env);
    assert.equal(push.code, 0, push.stderr);
    const out = await fresh('installed');
    const pull = await runInstalled(['artifact', 'pull', ref, '-o', out, '--format', 'json'], home.env);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(JSON.parse(pull.stdout).digest, push.stdout.trim());
    const { 'model.bin': _, ...want } = await tree(src);
    assert.deepEqual(await tree(out), want);
    const ls = await runInstalled(['artifact', 'ls', ref], home.env);
    assert.equal(ls.code, 0, ls.stderr);
  });
});

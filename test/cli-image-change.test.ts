// mutate, append, flatten, rebase and export against the real registry, judged by skopeo (inspect --config),
// umoci (unpack), podman (load + image inspect) and GNU tar.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { busyboxImage, tarOf } from './helpers/images.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, spawnCapture, which, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, tarLayer } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const busybox = which('busybox');
const missing = ['skopeo', 'umoci', 'podman', 'busybox'].filter((b) => !which(b));
const skip = missing.length ? `not installed: ${missing.join(', ')}` : false;

/** A tree as `path → type mode content` lines: what a user of the filesystem sees (owners aside). */
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
      else out.push(`${inTree} file ${mode} ${createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 16)} links=${st.nlink}`);
    }
  };
  await walk(root, '');
  return out;
}

describe('changing images without a daemon: mutate, append, flatten, rebase, export', { skip }, () => {
  let reg: RegistryHandle;
  let home: Home;
  let T: string;
  const cli = (...args: string[]) => runCli(args, home.env);
  const ok = async (...args: string[]) => {
    const r = await cli(...args);
    assert.equal(r.code, 0, `regctl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const skopeo = async (...args: string[]) => JSON.parse((await execFileAsync('skopeo', ['inspect', '--tls-verify=false', ...args])).stdout);
  /** umoci's rootfs of an image (copied into an OCI layout with OCI media types first). */
  const umociTree = async (image: string, name: string) => {
    const layout = join(T, `${name}-layout`);
    await ok('copy', '-q', '--format', 'oci', image, `oci:${layout}:x`);
    const bundle = join(T, `${name}-bundle`);
    await execFileAsync('umoci', ['unpack', '--rootless', '--image', `${layout}:x`, bundle]);
    return treeOf(join(bundle, 'rootfs'));
  };
  /** regctl export of an image, extracted by GNU tar. */
  const exportTree = async (image: string, name: string) => {
    const file = join(T, `${name}.tar`);
    await ok('export', image, '-o', file);
    const dir = join(T, `${name}-export`);
    await mkdir(dir);
    await execFileAsync('tar', ['-xpf', file, '-C', dir]);
    return treeOf(dir);
  };

  // The busybox image, and one more layer with a whiteout, an opaque directory and a hard link on top of it.
  let bb: string;
  let wh: string;
  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    T = await mkdtemp(join(tmpdir(), 'regctl-change-'));
    const img = await busyboxImage(busybox);
    bb = `${reg.host}/base/busybox:1`;
    await seedImage({ url: reg.url }, 'base/busybox', '1', { layers: img.layers.map((l) => l.tar) });
    const files = await tarOf([
      { name: 'opt/', type: 'directory', mode: 0o755 },
      { name: 'opt/old/', type: 'directory', mode: 0o700 },
      { name: 'opt/old/a.txt', body: 'a\n', mode: 0o600 },
      { name: 'etc/keep', body: 'keep\n', mode: 0o640 },
      { name: 'etc/keep-link', type: 'link', linkname: 'etc/keep' },
    ]);
    const whiteouts = await tarOf([
      { name: 'etc/.wh.regctl-test', body: '' },
      { name: 'opt/', type: 'directory', mode: 0o755 },
      { name: 'opt/.wh..wh..opq', body: '' },
      { name: 'opt/new.txt', body: 'new\n', mode: 0o644 },
    ]);
    wh = `${reg.host}/base/whiteouts:1`;
    await seedImage({ url: reg.url }, 'base/whiteouts', '1', { layers: [...img.layers.map((l) => l.tar), files, whiteouts] });
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(T, { recursive: true, force: true });
  });

  test('mutate sets labels, env, entrypoint, user, ports and annotations; skopeo reads them; the tag moves to the printed digest', async () => {
    await seedImage({ url: reg.url }, 'mut/app', '1', { layers: [tarLayer({ 'hello.txt': 'hi\n' })] });
    const image = `${reg.host}/mut/app:1`;
    const before = await ok('digest', image);
    const digest = await ok('mutate', '-q', image, '--label', 'org.example.team=core', '--label', 'tier=web', '--env', 'FOO=bar', '--env', 'PATH=/app/bin',
      '--entrypoint', '["/app/run","--serve"]', '--cmd', '[]', '--user', '1000:1000', '--workdir', '/app', '--expose', '8080', '--expose', '53/udp',
      '--stop-signal', 'SIGINT', '--annotation', 'org.opencontainers.image.source=https://example.com/app', '--created', '2025-05-05T05:05:05Z');
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.notEqual(digest, before);
    assert.equal(await ok('digest', image), digest, 'the result is written back to the source\'s tag');
    const config = await skopeo('--config', `docker://${image}`);
    assert.deepEqual(config.config.Labels, { 'org.example.team': 'core', tier: 'web', 'org.regctl.test.repo': 'mut/app' });
    assert.ok(config.config.Env.includes('FOO=bar'));
    assert.ok(config.config.Env.includes('PATH=/app/bin') && !config.config.Env.some((e: string) => e.startsWith('PATH=/usr')), 'PATH replaced in place');
    assert.deepEqual(config.config.Entrypoint, ['/app/run', '--serve']);
    assert.equal(config.config.Cmd, undefined);
    assert.equal(config.config.User, '1000:1000');
    assert.equal(config.config.WorkingDir, '/app');
    assert.deepEqual(config.config.ExposedPorts, { '8080/tcp': {}, '53/udp': {} });
    assert.equal(config.config.StopSignal, 'SIGINT');
    assert.equal(config.created, '2025-05-05T05:05:05Z');
    const raw = await skopeo('--raw', `docker://${image}`);
    assert.equal(raw.mediaType, 'application/vnd.docker.distribution.manifest.v2+json', 'the source\'s format is kept');
    assert.equal(raw.annotations['org.opencontainers.image.source'], 'https://example.com/app');
    // removing, into another tag, converted to OCI
    const oci = await ok('mutate', '-q', image, '-t', `${reg.host}/mut/app:2`, '--rm-label', 'tier', '--rm-env', 'FOO', '--manifest-format', 'oci');
    assert.equal(await ok('digest', image), digest, 'the source is untouched with -t');
    const config2 = await skopeo('--config', `docker://${reg.host}/mut/app:2`);
    assert.equal(config2.config.Labels.tier, undefined);
    assert.ok(!config2.config.Env.includes('FOO=bar'));
    assert.equal((await skopeo('--raw', `docker://${reg.host}/mut/app:2`)).mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(await ok('digest', `${reg.host}/mut/app:2`), oci);
    for (const [args, code] of [[['--label', 'novalue'], 2], [['--expose', 'http'], 2], [['--entrypoint', '[1,2]'], 2], [[], 2]] as const) {
      const r = await cli('mutate', image, ...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    }
    assert.equal((await cli('mutate', `${reg.host}/mut/none:1`, '--label', 'a=b')).code, 3);
  });

  test('the result prints as --format says (text, json, a template); --manifest-format is the format written; errors name the flags', async () => {
    await seedImage({ url: reg.url }, 'fmt/app', '1');
    const image = `${reg.host}/fmt/app:1`;
    const json = JSON.parse(await ok('mutate', '-q', image, '-t', `${reg.host}/fmt/app:2`, '--label', 'a=b', '--format', 'json'));
    assert.deepEqual(json, { digest: await ok('digest', `${reg.host}/fmt/app:2`), destination: `${reg.host}/fmt/app:2` });
    assert.equal(await ok('mutate', '-q', image, '-t', `${reg.host}/fmt/app:3`, '--label', 'a=c', '--format', '{{.Destination}} {{.Digest}}'),
      `${reg.host}/fmt/app:3 ${await ok('digest', `${reg.host}/fmt/app:3`)}`);
    const old = await cli('mutate', '-q', image, '-t', `${reg.host}/fmt/app:4`, '--format', 'oci');
    assert.equal(old.code, 2);
    assert.match(old.stderr, /^hint: write the image in OCI format with --manifest-format oci$/m);
    const byDigest = await cli('mutate', '-q', `${reg.host}/fmt/app@${json.digest}`, '--label', 'x=y');
    assert.equal(byDigest.code, 2);
    assert.match(byDigest.stderr, /names a digest, which a changed image cannot keep: give --tag$/m);
    const scratch = await cli('append', '-q', 'scratch', '--dir', T);
    assert.equal(scratch.code, 2);
    assert.match(scratch.stderr, /append to scratch makes a new image: give --tag$/m);
    assert.equal((await cli('digest', `${reg.host}/fmt/app:4`)).code, 3, 'nothing written');
  });

  test('mutate changes every platform of an index, or only --platform, and writes a new index', async () => {
    const index = await seedIndex({ url: reg.url }, 'mut/multi', '1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64', variant: 'v8' }]);
    const image = `${reg.host}/mut/multi:1`;
    const all = await ok('mutate', '-q', image, '-t', `${reg.host}/mut/multi:all`, '--label', 'stamped=yes');
    const doc = await skopeo('--raw', `docker://${reg.host}/mut/multi:all`);
    assert.equal(doc.mediaType, index.mediaType);
    assert.equal(all, await ok('digest', `${reg.host}/mut/multi:all`));
    for (const p of ['linux/amd64', 'linux/arm64/v8']) {
      const [os, arch, variant] = p.split('/');
      const config = await skopeo('--config', '--override-os', os!, '--override-arch', arch!, ...(variant ? ['--override-variant', variant] : []), `docker://${reg.host}/mut/multi:all`);
      assert.equal(config.config.Labels.stamped, 'yes', p);
    }
    await ok('mutate', '-q', image, '-t', `${reg.host}/mut/multi:arm`, '--platform', 'linux/arm64', '--label', 'stamped=arm');
    const arm = await skopeo('--raw', `docker://${reg.host}/mut/multi:arm`);
    const amd64 = index.manifests.find((m) => m.platform.architecture === 'amd64')!.digest;
    const arm64 = index.manifests.find((m) => m.platform.architecture === 'arm64')!.digest;
    assert.equal(arm.manifests.find((m: { platform: { architecture: string } }) => m.platform.architecture === 'amd64').digest, amd64, 'amd64 kept as it was');
    assert.notEqual(arm.manifests.find((m: { platform: { architecture: string } }) => m.platform.architecture === 'arm64').digest, arm64);
    const none = await cli('mutate', image, '-t', `${reg.host}/mut/multi:none`, '--platform', 'linux/s390x', '--label', 'a=b');
    assert.equal(none.code, 3, none.stderr);
    assert.equal((await cli('digest', `${reg.host}/mut/multi:none`)).code, 3, 'nothing written');
  });

  test('append adds a directory and a tar as layers; umoci unpacks them; --reproducible twice gives the same digest', async () => {
    const src = join(T, 'append-src');
    await mkdir(join(src, 'conf'), { recursive: true });
    await writeFile(join(src, 'conf', 'app.yaml'), 'port: 8080\n', { mode: 0o640 });
    await writeFile(join(src, 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    const tar = join(T, 'extra.tar');
    await writeFile(tar, await tarOf([{ name: 'etc/extra.conf', body: 'x=1\n', mode: 0o600 }]));
    const out = `${reg.host}/app/appended:1`;
    const args = ['append', '-q', bb, '-t', out, '--dir', `${src}:/app`, '-f', tar, '--reproducible'];
    const first = await ok(...args);
    await utimes(join(src, 'run.sh'), new Date(), new Date()); // a later build touches the files again
    const second = await ok(...args.slice(0, 4), `${reg.host}/app/appended:2`, ...args.slice(5));
    assert.equal(second, first, 'the same inputs give the same digest');
    const config = await skopeo('--config', `docker://${out}`);
    assert.equal(config.rootfs.diff_ids.length, 4);
    assert.equal(config.history.at(-2).created_by, 'regctl append --dir <directory>:/app', 'no host path under --reproducible');
    assert.equal(config.history.at(-1).created, '1970-01-01T00:00:00Z');
    const tree = await umociTree(out, 'append');
    for (const line of ['app dir 755', 'app/conf/app.yaml file 640', 'app/run.sh file 755', 'etc/extra.conf file 600', 'bin/busybox file 755', 'etc/regctl-test file 644']) {
      assert.ok(tree.some((l) => l.startsWith(line)), `${line} in\n${tree.join('\n')}`);
    }
    const epochEnv = { ...home.env, SOURCE_DATE_EPOCH: '1700000000' };
    const stamped = await runCli(['append', '-q', bb, '-t', `${reg.host}/app/appended:epoch`, '-f', tar], epochEnv);
    assert.equal(stamped.code, 0, stamped.stderr);
    assert.equal((await skopeo('--config', `docker://${reg.host}/app/appended:epoch`)).created, '2023-11-14T22:13:20Z', 'SOURCE_DATE_EPOCH alone makes the build reproducible');
    assert.equal((await runCli(['append', '-q', bb, '-t', `${reg.host}/app/x:1`, '-f', tar], { ...home.env, SOURCE_DATE_EPOCH: 'yesterday' })).code, 2);
    // zstd needs an OCI manifest; scratch needs -t
    const zstd = await cli('append', '-q', bb, '-t', `${reg.host}/app/zstd:1`, '-f', tar, '--compress', 'zstd');
    assert.equal(zstd.code, 2, zstd.stderr);
    assert.match(zstd.stderr, /^hint: write the image in OCI format: --manifest-format oci$/m);
    const z = await ok('append', '-q', bb, '-t', `${reg.host}/app/zstd:1`, '-f', tar, '--compress', 'zstd', '--manifest-format', 'oci');
    assert.equal((await skopeo('--raw', `docker://${reg.host}/app/zstd@${z}`)).layers.at(-1).mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
    assert.equal((await cli('append', 'scratch', '-f', tar)).code, 2);
    assert.equal((await cli('append', bb, '-t', `${reg.host}/app/x:1`, '-f', join(T, 'absent.tar'))).code, 3);
  });

  test('append to scratch into a docker archive: podman loads it and agrees on config and layers', async () => {
    const tar = join(T, 'scratch-layer.tar');
    await writeFile(tar, await tarOf([{ name: 'hello.txt', body: 'hello\n', mode: 0o644 }]));
    const archive = join(T, 'scratch.tar');
    await ok('append', '-q', 'scratch', '-t', `docker-archive:${archive}:example/scratch:1`, '-f', tar, '--platform', 'linux/amd64', '--manifest-format', 'docker');
    const digest = await ok('mutate', '-q', `docker-archive:${archive}`, '-t', `docker-archive:${join(T, 'scratch2.tar')}:example/scratch:2`, '--label', 'from=scratch', '--entrypoint', 'echo hi');
    assert.match(digest, /^sha256:/);
    const root = join(T, 'podman');
    const p = ['--root', join(root, 'root'), '--runroot', join(root, 'run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
    const env = { PATH: process.env.PATH, HOME: root };
    const load = await spawnCapture('podman', [...p, 'load', '-i', join(T, 'scratch2.tar')], env);
    assert.equal(load.code, 0, load.stderr);
    const inspect = await spawnCapture('podman', [...p, 'image', 'inspect', 'docker.io/example/scratch:2'], env);
    assert.equal(inspect.code, 0, inspect.stderr);
    const [info] = JSON.parse(inspect.stdout);
    assert.equal(info.Labels.from, 'scratch');
    assert.deepEqual(info.Config.Entrypoint, ['/bin/sh', '-c', 'echo hi']);
    assert.equal(info.RootFS.Layers.length, 1);
    assert.equal(info.Architecture, 'amd64');
    const config = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `docker-archive:${join(T, 'scratch2.tar')}`], { encoding: 'utf8' }));
    assert.deepEqual(info.RootFS.Layers, config.rootfs.diff_ids, 'podman and the config agree on the layers');
    await spawnCapture('podman', [...p, 'system', 'reset', '--force'], env);
  });

  test('export equals umoci\'s rootfs of the busybox image and of an image with whiteouts, opaque dirs and hard links', async () => {
    assert.deepEqual(await exportTree(bb, 'bb'), await umociTree(bb, 'bb'));
    const tree = await exportTree(wh, 'wh');
    assert.deepEqual(tree, await umociTree(wh, 'wh'));
    assert.ok(!tree.some((l) => l.startsWith('etc/regctl-test')), 'the whited-out file is gone');
    assert.ok(!tree.some((l) => l.startsWith('opt/old')), 'the opaque directory hides what lay below');
    assert.ok(tree.some((l) => l.startsWith('opt/new.txt file 644')));
    assert.ok(tree.some((l) => l.startsWith('etc/keep-link file 640') && l.endsWith('links=2')), 'the hard link is kept');
    assert.ok(!tree.some((l) => l.includes('.wh.')));
    const stdout = await cli('export', wh);
    assert.equal(stdout.code, 0);
    assert.deepEqual(stdout.stdoutBytes, readFileSync(join(T, 'wh.tar')), 'stdout gets the same tar');
  });

  test('flatten gives one layer holding the merged filesystem; rebase swaps the base or refuses with exit 1', async () => {
    const flat = `${reg.host}/app/flat:1`;
    await ok('flatten', '-q', wh, '-t', flat);
    const config = await skopeo('--config', `docker://${flat}`);
    assert.equal(config.rootfs.diff_ids.length, 1);
    assert.equal(config.history.length, 1);
    assert.deepEqual(await umociTree(flat, 'flat'), await exportTree(wh, 'wh-for-flat'));
    // rebase: an app on busybox moved onto the whiteouts image
    const tar = join(T, 'app.tar');
    await writeFile(tar, await tarOf([{ name: 'app.txt', body: 'app\n' }]));
    const app = `${reg.host}/app/rebase:1`;
    await ok('append', '-q', bb, '-t', app, '-f', tar);
    const moved = await ok('rebase', '-q', app, '--old-base', bb, '--new-base', wh, '-t', `${reg.host}/app/rebase:2`);
    const [rebased, newBase, original] = await Promise.all([`${reg.host}/app/rebase@${moved}`, wh, app].map((i) => skopeo('--raw', `docker://${i}`)));
    assert.deepEqual(rebased.layers.map((l: { digest: string }) => l.digest), [...newBase.layers, original.layers.at(-1)].map((l: { digest: string }) => l.digest));
    const rebasedConfig = await skopeo('--config', `docker://${reg.host}/app/rebase:2`);
    assert.equal(rebasedConfig.rootfs.diff_ids.length, 5);
    assert.equal(rebasedConfig.history.length, 5, "the new base's history and the image's own entry");
    const refused = await cli('rebase', '-q', app, '--old-base', wh, '--new-base', bb, '-t', `${reg.host}/app/rebase:3`);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /is not built on .*layer 3 is sha256:[0-9a-f]{64}/);
    assert.match(refused.stderr, /^hint: --old-base must be the very base the image was built on$/m);
    assert.equal((await cli('digest', `${reg.host}/app/rebase:3`)).code, 3, 'nothing written');
  });

  test('an OCI layout changed in place keeps its other names; local: images change in the store', async () => {
    const layout = join(T, 'inplace');
    await ok('copy', '-q', bb, `oci:${layout}:v1`);
    await ok('copy', '-q', bb, `oci:${layout}:v2`);
    const digest = await ok('mutate', '-q', `oci:${layout}:v1`, '--label', 'patched=1');
    assert.equal(await ok('digest', `oci:${layout}:v1`), digest);
    assert.equal(await ok('digest', `oci:${layout}:v2`), await ok('digest', bb));
    const env = { ...home.env, REGCTL_STORE: join(T, 'store') };
    assert.equal((await runCli(['pull', '-q', bb], env)).code, 0);
    const local = await runCli(['mutate', '-q', `local:${bb}`, '--env', 'STORE=1'], env);
    assert.equal(local.code, 0, local.stderr);
    const inspect = await runCli(['inspect', '--config', `local:${bb}`], env);
    assert.match(inspect.stdout, /STORE=1/);
  });
});

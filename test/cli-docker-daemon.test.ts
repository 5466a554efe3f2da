import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startDockerd, type DockerdHandle } from './helpers/dockerd.js';
import { sha256 } from './helpers/images.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedArtifact, seedImage, seedIndex, tarLayer, type SeededImage, type SeededIndex } from './helpers/seed.js';

const execFileAsync = promisify(execFile);

// docker-daemon:NAME[:TAG] as skopeo names it, through the Engine API of a real dockerd (20.10): a copy into it is a
// streamed `docker load`, a copy out of it a streamed `docker save`; dockerd and skopeo judge the results.
describe('docker-daemon: against a real dockerd and registry', () => {
  let reg: RegistryHandle;
  let home: Home;
  let scratch: string;
  let image: SeededImage;
  let index: SeededIndex;
  const layers = [tarLayer({ 'hello.txt': 'hello\n' }), tarLayer({ 'etc/os-release': 'ID=daemon-test\n' })];

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    scratch = await mkdtemp(join(tmpdir(), 'regctl-daemon-'));
    image = await seedImage({ url: reg.url }, 'team/app', '1.0', { layers });
    index = await seedIndex({ url: reg.url }, 'team/multi', 'v1', [
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
      { os: 'linux', architecture: 'amd64' },
    ]);
    await seedArtifact({ url: reg.url }, 'team/sbom', 'v1');
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  async function withDockerd<R>(fn: (d: DockerdHandle, env: Record<string, string | undefined>) => Promise<R>): Promise<R> {
    const d = await startDockerd();
    try {
      return await fn(d, { ...home.env, DOCKER_HOST: d.env.DOCKER_HOST });
    } finally {
      await d.stop();
    }
  }

  const inspectImage = async (d: DockerdHandle, name: string) => {
    const r = await d.docker(['image', 'inspect', name]);
    assert.equal(r.code, 0, `docker image inspect ${name}: ${r.stderr}`);
    return JSON.parse(r.stdout)[0] as { Id: string; RepoTags: string[]; RootFS: { Layers: string[] }; Architecture: string };
  };

  const skopeo = async (...args: string[]) => (await execFileAsync('skopeo', [...args], { env: { ...home.env } })).stdout;

  test('copy registry → docker-daemon: dockerd holds the image under its name, with the registry image\'s layers', async () => {
    await withDockerd(async (d, env) => {
      const r = await runCli(['copy', '-q', `${reg.host}/team/app:1.0`, 'docker-daemon:team/app:dev'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${image.digest}\n`);
      const got = await inspectImage(d, 'team/app:dev');
      assert.deepEqual(got.RepoTags, ['team/app:dev']);
      assert.equal(got.Id, image.configDigest);
      assert.deepEqual(got.RootFS.Layers, image.diffIds);
      assert.deepEqual(image.diffIds, layers.map((l) => sha256(l)), 'the diff_ids are those of the layers pushed');

      // No tag is docker's `latest`; a fully qualified name is kept as docker spells it.
      assert.equal((await runCli(['copy', '-q', `${reg.host}/team/app:1.0`, `docker-daemon:${reg.host}/team/app`], env)).code, 0);
      assert.deepEqual((await inspectImage(d, `${reg.host}/team/app:latest`)).RepoTags.sort(), [`${reg.host}/team/app:latest`, 'team/app:dev'].sort());
    });
  });

  test('copy of a multi-platform index into docker-daemon: loads the host platform\'s image only', async () => {
    const amd64 = index.manifests.find((m) => m.platform.architecture === 'amd64')!.digest;
    const config = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--config', `docker://${reg.host}/team/multi@${amd64}`));
    await withDockerd(async (d, env) => {
      const r = await runCli(['copy', '-q', `${reg.host}/team/multi:v1`, 'docker-daemon:multi:v1'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${amd64}\n`, 'the amd64 image was copied (the host is linux/amd64)');
      const got = await inspectImage(d, 'multi:v1');
      assert.equal(got.Architecture, 'amd64');
      assert.deepEqual(got.RootFS.Layers, config.rootfs.diff_ids);
      // --platform chooses another one; docker keeps what it is given.
      const arm = await runCli(['copy', '-q', '--platform', 'linux/arm64', `${reg.host}/team/multi:v1`, 'docker-daemon:multi:arm'], env);
      assert.equal(arm.code, 0, arm.stderr);
      assert.equal((await inspectImage(d, 'multi:arm')).Architecture, 'arm64');
    });
  });

  test('an image docker made (import, tag) copies out of docker-daemon: to a registry; skopeo and docker pull agree', async () => {
    await withDockerd(async (d, env) => {
      const rootfs = join(scratch, 'rootfs.tar');
      await writeFile(rootfs, tarLayer({ 'app/run.sh': 'echo built locally\n', 'app/VERSION': '1.2.3\n' }));
      assert.equal((await d.docker(['import', rootfs, 'app:base'])).code, 0);
      assert.equal((await d.docker(['tag', 'app:base', 'app:dev'])).code, 0);
      const made = await inspectImage(d, 'app:dev');

      const digestfile = join(scratch, 'digest');
      const r = await runCli(['copy', '-q', '--digestfile', digestfile, 'docker-daemon:app:dev', `${reg.host}/local/app:dev`], env);
      assert.equal(r.code, 0, r.stderr);
      const info = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${reg.host}/local/app:dev`));
      assert.equal(info.Digest, r.stdout.trim());
      const digest = await runCli(['digest', 'docker-daemon:app:dev'], env);
      assert.equal(digest.stdout, r.stdout, 'digest of the daemon\'s image is the digest it is pushed with');
      const config = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--config', `docker://${reg.host}/local/app:dev`));
      assert.deepEqual(config.rootfs.diff_ids, made.RootFS.Layers);
      assert.equal(sha256(Buffer.from(await skopeo('inspect', '--tls-verify=false', '--config', '--raw', `docker://${reg.host}/local/app:dev`))), made.Id);

      // By image ID: the same image, written by digest only (no `latest` invented at the destination).
      const byId = await runCli(['copy', '-q', `docker-daemon:${made.Id}`, `${reg.host}/local/byid`], env);
      assert.equal(byId.code, 0, byId.stderr);
      assert.equal(byId.stdout, r.stdout);
      assert.equal((await runCli(['digest', `${reg.host}/local/byid:latest`], env)).code, 3, 'no `latest` was written');

      // dockerd pulls it back as the same image.
      assert.equal((await d.docker(['rmi', 'app:dev', 'app:base'])).code, 0);
      const pull = await d.docker(['pull', `${reg.host}/local/app:dev`]);
      assert.equal(pull.code, 0, pull.stderr);
      assert.equal((await inspectImage(d, `${reg.host}/local/app:dev`)).Id, made.Id);
      // …and knows it by its repo digest too: docker-daemon:NAME@DIGEST reads the same image.
      const byDigest = await runCli(['digest', `docker-daemon:${reg.host}/local/app@${r.stdout.trim()}`], env);
      assert.equal(byDigest.code, 0, byDigest.stderr);
      assert.equal(byDigest.stdout, r.stdout);

      // An image the daemon lacks is exit 3.
      const missing = await runCli(['copy', 'docker-daemon:app:nope', `${reg.host}/local/app:nope`], env);
      assert.equal(missing.code, 3, missing.stderr);
      assert.match(missing.stderr, /app:nope/);
    });
  });

  test('DOCKER_HOST=tcp://HOST:PORT reaches the daemon over tcp; a connection cut mid-load is exit 5 and loads nothing', async () => {
    await withDockerd(async (d, env) => {
      const socket = d.env.DOCKER_HOST.slice('unix://'.length);
      let cutAfter = Infinity; // bytes a connection may carry to the daemon before it is cut
      const forwarder = createServer((client: Socket) => {
        const upstream = connect(socket);
        let sent = 0;
        client.on('data', (chunk: Buffer) => {
          sent += chunk.length;
          if (sent > cutAfter) {
            client.destroy();
            upstream.destroy();
          }
        });
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
      let connections = 0;
      forwarder.on('connection', () => connections++);
      try {
        const tcp = { ...env, DOCKER_HOST: `tcp://127.0.0.1:${(forwarder.address() as AddressInfo).port}` };
        const r = await runCli(['copy', '-q', `${reg.host}/team/app:1.0`, 'docker-daemon:over/tcp:1'], tcp);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(connections >= 1, 'the copy went through the tcp address');
        assert.equal((await inspectImage(d, 'over/tcp:1')).Id, image.configDigest);

        cutAfter = 4096; // the ping passes; the tar does not
        const cut = await runCli(['copy', '-q', `${reg.host}/team/app:1.0`, 'docker-daemon:over/cut:1'], tcp);
        assert.equal(cut.code, 5, cut.stderr);
        assert.match(cut.stderr, /^regctl: loading an image into the Docker daemon failed: .*\(tcp:\/\/127\.0\.0\.1:\d+\)$/m);
        assert.equal((await d.docker(['image', 'inspect', 'over/cut:1'])).code, 1, 'docker loaded nothing');
      } finally {
        forwarder.close();
      }
    });
  });

  test('a copy that fails mid-way leaves nothing in the daemon (the load is broken off); an artifact is refused', async () => {
    const proxy = await startProxy(reg.url, { fault: (m, u) => (m === 'GET' && u.pathname.endsWith(image.layerDigests[1]!) ? { corrupt: true } : undefined) });
    try {
      await withDockerd(async (d, env) => {
        const r = await runCli(['copy', '-q', `${proxy.host}/team/app:1.0`, 'docker-daemon:broken:1'], env);
        assert.equal(r.code, 6, r.stderr);
        assert.ok(proxy.faulted.length >= 1, 'a corrupted layer was served');
        // An artifact is no image: docker loads nothing, and that is a failure, not a silent success.
        const artifact = await runCli(['copy', '-q', `${reg.host}/team/sbom:v1`, 'docker-daemon:sbom:1'], env);
        assert.equal(artifact.code, 1, artifact.stderr);
        assert.match(artifact.stderr, /the Docker daemon loaded nothing into docker-daemon:sbom:1/);
        const images = await d.docker(['images', '-q']);
        assert.equal(images.code, 0, images.stderr);
        assert.equal(images.stdout, '', 'docker loaded nothing');
        // The daemon is still fine: the next copy loads.
        assert.equal((await runCli(['copy', '-q', `${reg.host}/team/app:1.0`, 'docker-daemon:broken:1'], env)).code, 0);
        assert.equal((await inspectImage(d, 'broken:1')).Id, image.configDigest);
      });
    } finally {
      await proxy.stop();
    }
  });

  test('no daemon is exit 5 with a hint, in either direction; bad DOCKER_HOST and unwritable names are exit 2', async () => {
    const env = { ...home.env, DOCKER_HOST: `unix://${join(scratch, 'no-such.sock')}` };
    for (const args of [
      ['copy', `${reg.host}/team/app:1.0`, 'docker-daemon:app:1'],
      ['copy', 'docker-daemon:app:1', `${reg.host}/team/never:1`],
      ['inspect', 'docker-daemon:app:1'],
    ]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 5, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /regctl: cannot reach the Docker daemon at unix:\/\/.*no-such\.sock: no such socket/);
      assert.match(r.stderr, /hint: is dockerd running\?/);
    }
    assert.equal((await runCli(['digest', `${reg.host}/team/never:1`], home.env)).code, 3, 'nothing was pushed');

    for (const [host, tls, message] of [
      ['ssh://user@host', '', /unsupported DOCKER_HOST "ssh:\/\/user@host"/],
      ['unix://docker.sock', '', /unsupported DOCKER_HOST "unix:\/\/docker\.sock"/],
      ['tcp://127.0.0.1:2376', '1', /TLS to the Docker daemon \(DOCKER_TLS_VERIFY\) is not supported/],
    ] as const) {
      const r = await runCli(['copy', `${reg.host}/team/app:1.0`, 'docker-daemon:app:1'], { ...home.env, DOCKER_HOST: host, DOCKER_TLS_VERIFY: tls });
      assert.equal(r.code, 2, `${host}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const id = `sha256:${'a'.repeat(64)}`;
    for (const dst of [`docker-daemon:${id}`, `docker-daemon:app@${id}`, 'docker-daemon:sha256:abc', 'docker-daemon:']) {
      const r = await runCli(['copy', `${reg.host}/team/app:1.0`, dst], env);
      assert.equal(r.code, 2, `${dst}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /invalid tag/);
    }
  });
});

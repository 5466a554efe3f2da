// Hostile inputs of issue 22 §4: an export or flatten of layers where a symlink below is a directory above must not
// let an extracting tool write outside its target (judged by Python's tarfile); a Docker daemon that streams for ever
// is cut off at the spool limit, and a spool is removed when regctl is stopped (SIGTERM) mid-stream.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import { tarOf } from './helpers/images.js';
import { installed, runInstalled } from './helpers/installed.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage } from './helpers/seed.js';

const execFileAsync = promisify(execFile);

/** Extracts a tar with Python's tarfile as most scripts do (extractall, no filter: links are followed). */
async function pythonExtract(tarPath: string, into: string): Promise<void> {
  const script = 'import sys, tarfile\nwith tarfile.open(sys.argv[1]) as t:\n    t.extractall(sys.argv[2], **({"filter": "fully_trusted"} if hasattr(tarfile, "data_filter") else {}))\n';
  await execFileAsync('/usr/bin/python3', ['-c', script, tarPath, into]);
}

describe('hostile inputs', () => {
  let reg: RegistryHandle;
  let home: Home;
  let dir: string;

  before(async () => {
    reg = await startRegistry();
    home = await makeHome();
    dir = await mkdtemp(join(tmpdir(), 'regctl-hostile-'));
  });
  after(async () => {
    await reg?.stop();
    await home?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  for (const verb of ['export', 'flatten'] as const) {
    test(`${verb}: a symlink d -> outside below d/file above becomes a directory; tarfile writes nothing outside`, async () => {
      const outside = join(dir, `${verb}-outside`);
      await mkdir(outside);
      const repo = `hostile/${verb}`;
      await seedImage({ url: reg.url }, repo, '1', {
        layers: [
          await tarOf([{ name: 'd', type: 'symlink', linkname: outside }, { name: 'keep.txt', body: 'lower\n' }]),
          await tarOf([{ name: 'd/file', body: 'upper\n' }]),
          // one layer making `e` a link and putting something under it: the link is not written either
          await tarOf([{ name: 'e', type: 'symlink', linkname: outside }, { name: 'e/other', body: 'same layer\n' }]),
        ],
      });
      let image = `${reg.host}/${repo}:1`;
      if (verb === 'flatten') {
        const flat = await runCli(['flatten', '-q', image, '-t', `${reg.host}/${repo}:flat`], home.env);
        assert.equal(flat.code, 0, flat.stderr);
        image = `${reg.host}/${repo}:flat`;
      }
      const tarPath = join(dir, `${verb}.tar`);
      const r = await runCli(['export', image, '-o', tarPath], home.env);
      assert.equal(r.code, 0, r.stderr);
      const root = join(dir, `${verb}-root`);
      await mkdir(root);
      await pythonExtract(tarPath, root);
      assert.deepEqual(await readdir(outside), [], 'nothing was written through the link');
      assert.ok((await stat(join(root, 'd'))).isDirectory(), 'd is a directory');
      assert.ok((await stat(join(root, 'd/file'))).isFile());
      assert.ok((await stat(join(root, 'e/other'))).isFile());
      assert.ok((await stat(join(root, 'keep.txt'))).isFile(), 'the rest of the lower layer is there');
    });
  }

  test('prune --delete-untagged leaves a manifest a concurrent push tagged after the plan (reported, exit 1)', async () => {
    const repo = 'hostile/prune';
    const old = await seedImage({ url: reg.url }, repo, 'a', { created: '2020-01-01T00:00:00Z', layers: [await tarOf([{ name: 'a', body: 'a' }])] });
    const moved = await seedImage({ url: reg.url }, repo, 'b', { created: '2020-06-01T00:00:00Z', layers: [await tarOf([{ name: 'b', body: 'b' }])] });
    await seedImage({ url: reg.url }, repo, 'prod', { created: '2024-01-01T00:00:00Z', layers: [await tarOf([{ name: 'p', body: 'p' }])] });
    // `docker push …:prod` of image b between prune's plan and its DELETEs: the tag's link in the registry's storage
    // moves when prune lists the tags again (or, without that, at its first DELETE).
    const tags = join(reg.dataDir, 'docker/registry/v2/repositories', repo, '_manifests/tags');
    let lists = 0;
    let pushed = false;
    const push = () => {
      if (pushed) return;
      pushed = true;
      mkdirSync(join(tags, 'prod/index/sha256', moved.digest.slice(7)), { recursive: true });
      writeFileSync(join(tags, 'prod/index/sha256', moved.digest.slice(7), 'link'), moved.digest);
      writeFileSync(join(tags, 'prod/current/link'), moved.digest);
    };
    const proxy = await startProxy(reg.url, {
      fault: (method, url) => {
        if (method === 'GET' && url.pathname === `/v2/${repo}/tags/list` && ++lists === 2) push();
        if (method === 'DELETE') push();
        return undefined;
      },
    });
    try {
      const r = await runCli(['prune', `${proxy.host}/${repo}`, '--match', '^[ab]$', '--older-than', '1d', '--delete-untagged', '--keep-going', '--yes'], home.env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stdout + r.stderr, new RegExp(`@${moved.digest} is tagged prod since it was planned; left alone`), r.stdout);
      const head = await request(`${reg.url}/v2/${repo}/manifests/prod`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
      assert.equal(head.statusCode, 200, 'prod still has its image');
      assert.equal(head.headers['docker-content-digest'], moved.digest);
      const gone = await request(`${reg.url}/v2/${repo}/manifests/${old.digest}`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
      assert.equal(gone.statusCode, 404, 'the other untagged manifest was deleted');
    } finally {
      await proxy.stop();
    }
  });

  describe('a tag list of a million names filtered by a pattern', () => {
    const COUNT = 1_000_000;
    const PAGE = 20_000;
    const HOSTILE = '^(\\d+\\.?)+$';
    let proxy: Awaited<ReturnType<typeof startProxy>>;
    let served = 0;
    before(async () => {
      await seedImage({ url: reg.url }, 'hostile/many', 'x');
      proxy = await startProxy(reg.url, {
        fault: (method, url) => {
          if (method !== 'GET' || url.pathname !== '/v2/hostile/many/tags/list') return undefined;
          const from = Number(url.searchParams.get('last') ?? -1) + 1;
          const tags = Array.from({ length: Math.min(PAGE, COUNT - from) }, (_, i) => String(from + i).padStart(7, '0'));
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (from + PAGE < COUNT) headers.link = `</v2/hostile/many/tags/list?last=${from + PAGE - 1}&n=${PAGE}>; rel="next"`;
          served++;
          return { status: 200, headers, body: JSON.stringify({ name: 'hostile/many', tags: tags.map((t) => `${'1'.repeat(33)}${t}x`) }) };
        },
      });
    });
    after(() => proxy?.stop());

    test('installed: SIGINT while tags --exclude filters ends it with exit 130', async () => {
      served = 0;
      const child = spawn((await installed()).bin, ['tags', `${proxy.host}/hostile/many`, '--exclude', HOSTILE], { env: home.env, stdio: ['ignore', 'ignore', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      for (let i = 0; i < 1200 && served < COUNT / PAGE; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(served, COUNT / PAGE, 'every page was served');
      const sent = performance.now();
      child.kill('SIGINT');
      assert.equal(await exited, 130);
      const ms = performance.now() - sent;
      assert.ok(ms < 1000, `ended ${ms.toFixed(0)} ms after SIGINT`);
    });
  });

  describe('append of a tar or directory regctl cannot store as given', () => {
    let work: string;
    before(async () => {
      work = await mkdtemp(join(dir, 'append-'));
      await execFileAsync('sh', ['-c', [
        'truncate -s 50G big', 'head -c 4096 /dev/urandom > mixed', 'truncate -s 1M mixed', 'printf hello > small',
        'tar --sparse -cf gnu.tar big mixed small', 'tar --sparse --format=posix -cf pax.tar big mixed small',
        'head -c 6000 /dev/urandom > f1', 'tar -cf whole.tar f1 small', 'head -c 3000 whole.tar > truncated.tar', 'rm big mixed',
      ].join(' && ')], { cwd: work });
    });
    const append = async (args: string[]) => {
      const tmp = await mkdtemp(join(dir, 'tmp-'));
      const layout = join(work, `out-${Math.random().toString(36).slice(2)}`);
      const r = await runCli(['append', '-q', 'scratch', ...args, '-t', `oci:${layout}:1`], { ...home.env, TMPDIR: tmp });
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(await readdir(tmp), [], 'no scratch left');
      if (r.code !== 0) assert.equal(await stat(layout).catch(() => undefined), undefined, 'nothing written');
      return r;
    };

    test('a GNU sparse file (old GNU and PAX formats) is refused with exit 2 naming it, not stored as 0 bytes or crashed on', async () => {
      for (const tar of ['gnu.tar', 'pax.tar']) {
        const r = await append(['-f', join(work, tar)]);
        assert.equal(r.code, 2, `${tar}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`${tar}: big is .*(GNU sparse file|sparse file\\?)`));
        assert.match(r.stderr, /without --sparse/);
      }
    });

    test('a truncated tar is exit 6 naming the file and the entry it broke in', async () => {
      const r = await append(['-f', join(work, 'truncated.tar')]);
      assert.equal(r.code, 6, r.stderr);
      assert.match(r.stderr, /truncated\.tar: at entry f1: archive is corrupt: Unexpected end of data/);
      assert.equal((await append(['-f', join(work, 'whole.tar')])).code, 0, 'the whole tar is fine');
    });

    test('a file growing while --dir reads it is exit 2 naming it', async () => {
      const tree = await mkdtemp(join(work, 'tree-'));
      await execFileAsync('sh', ['-c', 'head -c 8M /dev/zero > grows'], { cwd: tree });
      const writer = spawn('sh', ['-c', 'while :; do head -c 262144 /dev/zero >> grows; done'], { cwd: tree, stdio: 'ignore' });
      try {
        const r = await append(['--dir', tree]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, new RegExp(`${join(tree, 'grows')} grew while it was read`));
      } finally {
        writer.kill('SIGKILL');
      }
    });
  });

  describe('a Docker daemon that streams without end', () => {
    let server: Server;
    let socket: string;
    before(async () => {
      socket = join(dir, 'docker.sock');
      const chunk = Buffer.alloc(1024 * 1024, 7);
      server = createServer((req, res) => {
        if (req.url === '/_ping') return void res.end('OK');
        if (req.url?.startsWith('/images/get')) {
          res.writeHead(200, { 'content-type': 'application/x-tar' });
          const more = () => { while (res.write(chunk)); };
          res.on('drain', more);
          res.on('close', () => res.off('drain', more));
          more();
          return;
        }
        res.writeHead(404).end('{"message":"no"}');
      });
      await new Promise<void>((resolve) => server.listen(socket, resolve));
    });
    after(async () => {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    });

    test('installed: the spool stops at REGCTL_MAX_SPOOL with a clear error and leaves nothing in TMPDIR', async () => {
      const tmp = await mkdtemp(join(dir, 'tmp-'));
      const r = await runInstalled(['copy', 'docker-daemon:endless:1', `oci:${join(dir, 'never')}:1`],
        { ...home.env, DOCKER_HOST: `unix://${socket}`, TMPDIR: tmp, REGCTL_MAX_SPOOL: '8M' });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /larger than 8388608 bytes \(REGCTL_MAX_SPOOL\)/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(await readdir(tmp), []);
    });

    test('installed: SIGTERM while spooling ends regctl (143) and removes the spool', async () => {
      const tmp = await mkdtemp(join(dir, 'tmp-'));
      const child = spawn((await installed()).bin, ['copy', 'docker-daemon:endless:1', `oci:${join(dir, 'never2')}:1`],
        { env: { ...home.env, DOCKER_HOST: `unix://${socket}`, TMPDIR: tmp }, stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const spooled = async () => {
        for (const d of await readdir(tmp)) {
          for (const a of await readdir(join(tmp, d)).catch(() => [])) {
            const input = join(tmp, d, a, 'input');
            if (((await stat(input).catch(() => undefined))?.size ?? 0) > 32 * 1024 * 1024) return true;
          }
        }
        return false;
      };
      for (let i = 0; i < 400 && !(await spooled()); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(await spooled(), 'regctl was spooling the stream');
      child.kill('SIGTERM');
      assert.equal(await exited, 143);
      assert.deepEqual(await readdir(tmp), [], 'the spool is gone');
    });
  });
});

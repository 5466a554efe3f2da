import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startProxy, type Fault, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, tarLayer } from './helpers/seed.js';

const execFileAsync = promisify(execFile);
const skopeoDigest = async (ref: string) =>
  (await execFileAsync('skopeo', ['inspect', '--tls-verify=false', '--no-tags', '--format', '{{.Digest}}', `docker://${ref}`])).stdout.trim();
const REPOS = ['team/alpha', 'team/beta', 'gamma'];
const TAGS = Array.from({ length: 20 }, (_, i) => `1.${i}.0`);
/** Requests that write, or read a manifest or blob body (what a second sync must not make). */
const costly = (requests: string[]) => requests.filter((q) => !q.startsWith('HEAD ') && q !== 'GET /v2/' && !/^GET \/v2\/[^?]+\/tags\/list/.test(q));

describe('sync and copy --all-tags against the real registry', () => {
  let a: RegistryHandle;
  let b: RegistryHandle;
  let home: Home;
  /** repo → tag → digest as seeded. */
  const seeded = new Map<string, Map<string, string>>();

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    home = await makeHome();
    // Layers shared by every image, by the tags of one repository, and one of each tag's own.
    const base = tarLayer({ 'base.bin': randomBytes(512 * 1024) });
    for (const repo of REPOS) {
      const shared = tarLayer({ 'repo.txt': `${repo}\n` });
      const digests = new Map<string, string>();
      for (let i = 0; i < TAGS.length; i += 5) {
        await Promise.all(TAGS.slice(i, i + 5).map(async (tag) => {
          const image = await seedImage({ url: a.url }, repo, tag, { layers: [base, shared, tarLayer({ 'tag.txt': `${repo}:${tag}\n` })] });
          digests.set(tag, image.digest);
        }));
      }
      seeded.set(repo, digests);
    }
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await home.cleanup();
  });

  const cli = (...args: string[]) => runCli(args, home.env);
  const withProxies = async (use: (src: ProxyHandle, dst: ProxyHandle) => Promise<void>, pageSize?: number) => {
    // distribution 2.8 answers tags/list in one page; with `pageSize` the proxy pages it as distribution 3 and
    // Docker Hub do (sorted, `last`, a Link to the next page).
    const src = await startProxy(a.url, pageSize ? { fault: (m, u) => (m === 'GET' && u.pathname.endsWith('/tags/list') ? tagPage(u, pageSize) : undefined) } : {});
    const dst = await startProxy(b.url);
    try {
      await use(src, dst);
    } finally {
      await Promise.all([src.stop(), dst.stop()]);
    }
  };
  const tagPage = (u: URL, size: number): Fault => {
    const repo = u.pathname.slice('/v2/'.length, -'/tags/list'.length);
    const all = [...seeded.get(repo)!.keys()].sort();
    const last = u.searchParams.get('last');
    const tags = all.filter((t) => last === null || t > last).slice(0, size);
    const more = all.some((t) => t > tags.at(-1)!);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (more) headers.link = `</v2/${repo}/tags/list?last=${tags.at(-1)}&n=${size}>; rel="next"`;
    return { status: 200, headers, body: JSON.stringify({ name: repo, tags }) };
  };
  const assertMirrored = async (host: string, repo: string, into: string) => {
    for (const [tag, digest] of seeded.get(repo)!) {
      assert.equal((await cli('digest', `${host}/${into}:${tag}`)).stdout.trim(), digest, `${into}:${tag}`);
    }
  };

  test('copy --all-tags copies every tag through Link pages with the source digests (skopeo agrees); a second run sends nothing', async () => {
    await withProxies(async (src, dst) => {
      const r = await cli('copy', '--all-tags', `${src.host}/team/alpha`, `${dst.host}/copies/alpha`);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(src.requests.filter((q) => q.includes('/tags/list')).length >= 3, `the tag list came in several Link pages: ${src.requests.filter((q) => q.includes('/tags/list'))}`);
      assert.match(r.stderr, /^COPIED\s+SKIPPED\s+FAILED\s+SENT\s+TIME\n20\s+0\s+0\s+/m);
      await assertMirrored(b.host, 'team/alpha', 'copies/alpha');
      for (const tag of [TAGS[0]!, TAGS[19]!]) assert.equal(await skopeoDigest(`${b.host}/copies/alpha:${tag}`), seeded.get('team/alpha')!.get(tag));
      // The base and repository layers went once, not once per tag.
      const uploads = dst.requests.filter((q) => q.startsWith('POST /v2/copies/alpha/blobs/uploads/'));
      assert.equal(uploads.length, 2 + 20 * 2, 'base + repo layer once, then each tag\'s layer and config');
      src.requests.length = 0;
      dst.requests.length = 0;
      const again = await cli('copy', '--all-tags', `${src.host}/team/alpha`, `${dst.host}/copies/alpha`);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /^0\s+20\s+0\s+0B\s+/m);
      assert.deepEqual([...costly(src.requests), ...costly(dst.requests)], []);
    }, 7);
  });

  test('sync --config mirrors 3 repositories × 20 tags; the second run makes only HEADs (and tag lists)', async () => {
    await withProxies(async (src, dst) => {
      const file = join(home.dir, 'sync.yaml');
      await writeFile(file, `${src.host}:\n  images:\n${REPOS.map((r) => `    ${r}: []\n`).join('')}  tls-verify: false\n`);
      const r = await cli('sync', '--config', file, `${dst.host}/mirror`, '--format', 'json');
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout);
      assert.deepEqual([report.copied, report.skipped, report.failed], [60, 0, 0]);
      for (const repo of REPOS) await assertMirrored(b.host, repo, `mirror/${repo.split('/').at(-1)}`);
      // The base layer is shared by all three destination repositories: uploaded once, mounted into the others.
      src.requests.length = 0;
      dst.requests.length = 0;
      const again = await cli('sync', '--config', file, `${dst.host}/mirror`, '--format', 'json');
      assert.equal(again.code, 0, again.stderr);
      const second = JSON.parse(again.stdout);
      assert.deepEqual([second.copied, second.skipped, second.failed, second.bytes], [0, 60, 0, 0]);
      assert.deepEqual([...costly(src.requests), ...costly(dst.requests)], []);
      assert.ok(src.requests.filter((q) => q.startsWith('HEAD /v2/') && q.includes('/manifests/')).length === 60);
    });
  });

  test('sync SRC DST picks tags by --tags, --exclude and --semver', async () => {
    const r = await cli('sync', `${a.host}/gamma`, `${b.host}/picked/gamma`, '--tags', '^1\\.1', '--exclude', '5', '--semver', '>= 1.10.0, < 1.19.0', '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const tags = report.images.map((i: { destination: string }) => i.destination.split(':').at(-1)).sort();
    assert.deepEqual(tags, ['1.10.0', '1.11.0', '1.12.0', '1.13.0', '1.14.0', '1.16.0', '1.17.0', '1.18.0']);
    const listed = await cli('tags', `${b.host}/picked/gamma`);
    assert.deepEqual(listed.stdout.trim().split('\n').sort(), tags);
  });

  test('--dry-run prints the plan from HEAD requests (and the manifests of what it would copy, to size it) and writes nothing', async () => {
    await cli('sync', '-q', `${a.host}/gamma:1.0.0`, `${b.host}/dry/gamma`);
    await withProxies(async (src, dst) => {
      const r = await cli('sync', '--dry-run', `${src.host}/gamma`, `${dst.host}/dry/gamma`);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^skip\\s+${src.host}/gamma:1\\.0\\.0\\s+${dst.host}/dry/gamma:1\\.0\\.0$`, 'm'));
      assert.equal(r.stdout.match(/^copy\s.*\d+(\.\d+)?k?B$/gm)?.length, 19, 'each image to copy with the bytes it would send');
      // the up-to-date image costs HEADs only; each image to copy one GET of its manifest by digest
      const gets = costly(src.requests);
      assert.equal(gets.length, 19);
      for (const q of gets) assert.match(q, /^GET \/v2\/gamma\/manifests\/sha256:[0-9a-f]{64}$/);
      assert.deepEqual(costly(dst.requests), []);
    });
    assert.deepEqual((await cli('tags', `${b.host}/dry/gamma`)).stdout, '1.0.0\n');
  });

  test('--format takes a template over the report; copy --all-tags --json is --format json; a sync file with --tags is refused naming the flag', async () => {
    const r = await cli('sync', '-q', `${a.host}/gamma:1.0.0`, `${b.host}/tpl/gamma`, '--format', '{{.Copied}}{{range .Images}} {{.Status}} {{.Destination}}{{end}}');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `1 copied ${b.host}/tpl/gamma:1.0.0\n`);
    const dry = await cli('copy', '--all-tags', '--dry-run', '--json', `${a.host}/team/beta`, `${b.host}/json/beta`);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual([JSON.parse(dry.stdout).planned, JSON.parse(dry.stdout).dryRun], [20, true]);
    const file = join(home.dir, 'tags.yaml');
    await writeFile(file, `${a.host}:\n  images:\n    gamma: []\n  tls-verify: false\n`);
    const refused = await cli('sync', '--config', file, '--tags', '^1', `${b.host}/never`);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--tags selects tags of a repository: a sync file selects its own/);
    assert.equal((await cli('tags', `${b.host}/never/gamma`)).code, 3);
  });

  test('--keep-going survives a broken repository and exits non-zero at the end; without it the sync stops', async () => {
    const broken = await startProxy(a.url, { fault: (m, u) => (m === 'GET' && u.pathname.startsWith('/v2/team/beta/blobs/') ? { corrupt: true } : undefined) });
    try {
      const file = join(home.dir, 'broken.yaml');
      await writeFile(file, `${broken.host}:\n  images:\n    team/alpha: ["1.0.0", "1.1.0"]\n    team/beta: ["1.0.0"]\n    missing/repo: []\n    gamma: ["1.0.0"]\n`);
      const r = await cli('sync', '--config', file, `${b.host}/kept`, '--keep-going', '--image-jobs', '1');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^3\s+0\s+2\s+/m);
      assert.match(r.stderr, /failed .*team\/beta:1\.0\.0 -> .*kept\/beta:1\.0\.0: .*digest/);
      assert.match(r.stderr, /failed .*missing\/repo -> .*kept\/repo: /);
      assert.equal((await cli('digest', `${b.host}/kept/gamma:1.0.0`)).stdout.trim(), seeded.get('gamma')!.get('1.0.0'));
      const stop = await cli('sync', '-q', `${broken.host}/team/beta`, `${b.host}/stopped/beta`);
      assert.equal(stop.code, 6, stop.stderr);
      assert.equal((await cli('tags', `${b.host}/stopped/beta`)).code, 3, 'nothing was tagged');
    } finally {
      await broken.stop();
    }
  });
});

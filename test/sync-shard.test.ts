// sync --shard K/N on the real registry: N shards are disjoint and together exactly the whole (N = 1…7, by repository
// and by image), a shard reads only its own repositories' tag lists, the installed command takes K from a Kubernetes
// Indexed Job's $JOB_COMPLETION_INDEX, and a shard killed half-way resumes on a rerun without copying again.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { sync, UsageError, type SyncOptions } from '../src/index.js';
import { installed, runInstalled } from './helpers/installed.js';
import { startProxy } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, tarLayer, type SeededImage } from './helpers/seed.js';

const REPOS = ['team/alpha', 'team/beta', 'gamma', 'delta/one', 'delta/two', 'epsilon', 'zeta', 'eta'];
const TAGS = ['1.0', '1.1', '2.0'];

async function registryTags(url: string, repo: string): Promise<string[]> {
  const res = await request(`${url}/v2/${repo}/tags/list`);
  const body = await res.body.text();
  return res.statusCode === 200 ? ((JSON.parse(body) as { tags: string[] | null }).tags ?? []).sort() : [];
}

describe('sync --shard', () => {
  let a: RegistryHandle;
  let home: Home;
  let file: string;
  const seeded = new Map<string, SeededImage>(); // 'repo:tag' → image
  const all = REPOS.flatMap((repo) => TAGS.map((tag) => `${repo}:${tag}`));

  before(async () => {
    a = await startRegistry();
    home = await makeHome();
    await Promise.all(all.map(async (name) => {
      const [repo, tag] = name.split(':') as [string, string];
      seeded.set(name, await seedImage({ url: a.url }, repo, tag, { layers: [tarLayer({ 'name.txt': `${name}\n` })] }));
    }));
    file = join(home.dir, 'sync.yaml');
    await writeFile(file, `${a.host}:\n  images:\n${REPOS.map((r) => `    ${r}: []\n`).join('')}  tls-verify: false\n`);
  });
  after(async () => {
    await a?.stop();
    await home?.cleanup();
  });

  const env = () => ({ env: home.env, homedir: home.dir });
  /** The source images a dry run of the file into `destination` plans (`repo:tag`, without the registry). */
  const planned = async (destination: string, opts: SyncOptions = {}) =>
    (await sync({ path: file }, destination, { ...env(), dryRun: true, ...opts })).images.map((r) => {
      assert.equal(r.status, 'planned', `${r.source}: ${r.error?.message}`);
      return r.source.slice(a.host.length + 1);
    });

  for (const by of ['repository', 'image'] as const) {
    test(`by ${by}: for N = 1…7 the shards are disjoint and together plan exactly what one sync plans`, async () => {
      const b = await startRegistry();
      try {
        const whole = (await planned(`${b.host}/mirror`)).sort();
        assert.deepEqual(whole, [...all].sort());
        const spread: number[] = [];
        for (let count = 1; count <= 7; count++) {
          const seen = new Map<string, number>();
          for (let index = 1; index <= count; index++) {
            const part = await planned(`${b.host}/mirror`, { shard: { index, count, by } });
            for (const name of part) {
              assert.ok(!seen.has(name), `N=${count}: ${name} is in shard ${seen.get(name)} and shard ${index}`);
              seen.set(name, index);
            }
            if (count === 7) spread.push(part.length);
          }
          assert.deepEqual([...seen.keys()].sort(), whole, `N=${count}: the shards together are the whole`);
          if (by === 'repository') {
            for (const repo of REPOS) {
              const shards = new Set(TAGS.map((t) => seen.get(`${repo}:${t}`)));
              assert.equal(shards.size, 1, `N=${count}: every tag of ${repo} is in one shard`);
            }
          }
        }
        // A hash that put everything in one shard would pass the checks above: 7 shards share 24 images.
        assert.ok(spread.filter((n) => n > 0).length >= 4, `7 shards are used, not one: ${spread}`);
      } finally {
        await b.stop();
      }
    });
  }

  test('by repository, a shard lists only its own repositories\' tags', async () => {
    const proxy = await startProxy(a.url);
    const b = await startRegistry();
    const own = join(home.dir, 'proxied.yaml');
    await writeFile(own, `${proxy.host}:\n  images:\n${REPOS.map((r) => `    ${r}: []\n`).join('')}  tls-verify: false\n`);
    try {
      const report = await sync({ path: own }, `${b.host}/mirror`, { ...env(), dryRun: true, shard: { index: 2, count: 3 } });
      const repos = new Set(report.images.map((r) => r.source.slice(proxy.host.length + 1).split(':')[0]));
      const listed = proxy.requests.filter((q) => q.includes('/tags/list')).map((q) => q.split(' ')[1]!.slice('/v2/'.length).split('/tags/list')[0]);
      assert.ok(repos.size > 0 && repos.size < REPOS.length, `shard 2/3 holds some repositories: ${[...repos]} ${JSON.stringify(report.images.map((r) => [r.source, r.status, r.error?.message]))}`);
      assert.deepEqual([...new Set(listed)].sort(), [...repos].sort(), JSON.stringify({ requests: proxy.requests, images: report.images.map((r) => [r.source, r.status, r.error?.message]) }));
      assert.deepEqual(report.shard, { index: 2, count: 3, by: 'repository' });
    } finally {
      await Promise.all([proxy.stop(), b.stop()]);
    }
  });

  test('three shards run as three commands mirror everything once; an unsharded dry run then finds nothing to do', async () => {
    const b = await startRegistry();
    try {
      let copied = 0;
      for (let k = 1; k <= 3; k++) {
        const r = await runCli(['sync', '--config', file, `${b.host}/mirror`, '--shard', `${k}/3`, '--format', 'json', '-q'], home.env);
        assert.equal(r.code, 0, r.stderr);
        const report = JSON.parse(r.stdout);
        assert.deepEqual(report.shard, { index: k, count: 3, by: 'repository' });
        assert.equal(report.failed, 0);
        copied += report.copied;
      }
      assert.equal(copied, all.length, 'each image copied by exactly one shard');
      for (const repo of REPOS) assert.deepEqual(await registryTags(b.url, `mirror/${repo.split('/').at(-1)}`), TAGS, repo);
      const again = await sync({ path: file }, `${b.host}/mirror`, { ...env(), dryRun: true });
      assert.deepEqual([again.planned, again.skipped], [0, all.length]);
    } finally {
      await b.stop();
    }
  });

  test('bad shards are usage errors naming the flag or option, before anything is read', async () => {
    const bad = async (args: string[], message: RegExp, extra: Record<string, string> = {}) => {
      const r = await runCli(['sync', '--config', file, '127.0.0.1:9/mirror', ...args], { ...home.env, ...extra });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    };
    await bad(['--shard', '4/3'], /--shard 4\/3: K must be 1 to N/);
    await bad(['--shard', '0/3'], /K must be 1 to N/);
    await bad(['--shard', 'two'], /--shard two: give K\/N/);
    await bad(['--shard', '3'], /\$JOB_COMPLETION_INDEX, which is not set/);
    await bad(['--shard', '3'], /K = 4 from \$JOB_COMPLETION_INDEX/, { JOB_COMPLETION_INDEX: '3' });
    await bad(['--shard', '1/3', '--shard-by', 'tag'], /--shard-by tag: give repository or image/);
    await assert.rejects(sync({ path: file }, '127.0.0.1:9/mirror', { ...env(), shard: { index: 3, count: 2 } }),
      (err: unknown) => err instanceof UsageError && err.option === 'shard.index');
    await assert.rejects(sync({ path: file }, '127.0.0.1:9/mirror', { ...env(), shard: { index: 1, count: 2, by: 'tag' } } as never),
      (err: unknown) => err instanceof UsageError && err.option === 'shard.by');
  });

  test('installed: --shard N takes K from $JOB_COMPLETION_INDEX (0-based) as a Kubernetes Indexed Job gives it', async () => {
    const b = await startRegistry();
    try {
      const byIndex = await runInstalled(['sync', '--config', file, `${b.host}/mirror`, '--shard', '3', '--dry-run', '--format', 'json'], { ...home.env, JOB_COMPLETION_INDEX: '1' });
      assert.equal(byIndex.code, 0, byIndex.stderr);
      const explicit = await planned(`${b.host}/mirror`, { shard: { index: 2, count: 3 } });
      const report = JSON.parse(byIndex.stdout);
      assert.deepEqual(report.shard, { index: 2, count: 3, by: 'repository' });
      assert.deepEqual(report.images.map((r: { source: string }) => r.source.slice(a.host.length + 1)).sort(), explicit.sort());
    } finally {
      await b.stop();
    }
  });

  test('installed: a shard killed half-way resumes on a rerun, copying only what it had not', async () => {
    const b = await startRegistry();
    let stalled: string | undefined; // the layer whose download never finishes, until the rerun
    const proxy = await startProxy(a.url, { fault: (_m, u) => (stalled && u.pathname.endsWith(`/blobs/${stalled}`) ? { stallAfter: 10 } : undefined) });
    const own = join(home.dir, 'resume.yaml');
    await writeFile(own, `${proxy.host}:\n  images:\n${REPOS.map((r) => `    ${r}: []\n`).join('')}  tls-verify: false\n`);
    const args = ['sync', '--config', own, `${b.host}/mirror`, '--shard', '1/2', '--image-jobs', '1', '--format', 'json', '-q'];
    const destinationTags = async () => (await Promise.all(REPOS.map(async (r) => (await registryTags(b.url, `mirror/${r.split('/').at(-1)}`)).length))).reduce((x, y) => x + y, 0);
    try {
      // One image at a time, in plan order: the last one's own layer stalls.
      const mine = (await sync({ path: own }, `${b.host}/mirror`, { ...env(), dryRun: true, imageJobs: 1, shard: { index: 1, count: 2 } })).images.map((r) => r.source.slice(proxy.host.length + 1));
      assert.ok(mine.length >= 3, `shard 1/2 holds several images: ${mine}`);
      stalled = seeded.get(mine.at(-1)!)!.layerDigests[0];
      const child = spawn((await installed()).bin, args, { env: home.env, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      for (let i = 0; i < 600 && ((await destinationTags()) < mine.length - 1 || proxy.faulted.length === 0); i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await destinationTags(), mine.length - 1, 'all but the stalled image arrived before the kill');
      assert.ok(proxy.faulted.length > 0, 'the last image was stalled');
      child.kill('SIGKILL');
      await exited;
      stalled = undefined;
      const rerun = await runInstalled(args, home.env);
      assert.equal(rerun.code, 0, rerun.stderr);
      const report = JSON.parse(rerun.stdout);
      assert.deepEqual([report.copied, report.skipped, report.failed], [1, mine.length - 1, 0]);
      assert.equal(await destinationTags(), mine.length);
    } finally {
      await Promise.all([proxy.stop(), b.stop()]);
    }
  });
});

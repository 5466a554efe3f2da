import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, type SeededImage } from './helpers/seed.js';

describe('rmi and images behave like docker\'s: IDs, digests, several arguments, -f, -q, -a, filters', () => {
  let reg: RegistryHandle;
  let home: Home;
  let one: SeededImage;
  let two: SeededImage;
  let epoch: SeededImage;
  const cli = (...args: string[]) => runCli(args, home.env);
  const short = (d: string) => d.slice(7, 19);

  before(async () => {
    reg = await startRegistry();
    one = await seedImage({ url: reg.url }, 'r/one', '1');
    two = await seedImage({ url: reg.url }, 'r/two', '1');
    epoch = await seedImage({ url: reg.url }, 'r/epoch', '1', { created: '0001-01-01T00:00:00Z' });
  });
  after(async () => {
    await reg.stop();
  });
  // A fresh store per test, holding r/one:1 (also tagged r/one:alias), r/two:1 and r/epoch:1.
  beforeEach(async () => {
    await home?.cleanup();
    home = await makeHome();
    home.env.REGCTL_STORE = join(home.dir, 'store');
    for (const n of ['r/one:1', 'r/two:1', 'r/epoch:1']) assert.equal((await cli('pull', '-q', `${reg.host}/${n}`)).code, 0);
    assert.equal((await cli('tag', `${reg.host}/r/one:1`, `${reg.host}/r/one:alias`)).code, 0);
  });

  test('images: IMAGE ID column, --digests, --no-trunc, a REPOSITORY filter, N/A for a zero creation time', async () => {
    const table = (await cli('images')).stdout.split('\n');
    assert.match(table[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    const row = (t: string[], repo: string, tag: string) => t.find((l) => l.startsWith(`${reg.host}/${repo} `) && l.includes(` ${tag} `))!;
    assert.match(row(table, 'r/one', '1'), new RegExp(` ${short(one.configDigest)} +\\d+ (years?|months?) ago `));
    assert.match(row(table, 'r/epoch', '1'), new RegExp(` ${short(epoch.configDigest)} +N/A +\\d`));
    const digests = (await cli('images', '--digests')).stdout.split('\n');
    assert.match(digests[0]!, /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.ok(row(digests, 'r/two', '1').includes(` ${two.digest} `));
    const full = (await cli('images', '--no-trunc')).stdout;
    assert.ok(full.includes(` ${one.configDigest} `), full);
    const filtered = (await cli('images', `${reg.host}/r/one`)).stdout.trim().split('\n');
    assert.equal(filtered.length, 3, 'the header and r/one\'s two tags');
    assert.equal((await cli('images', `${reg.host}/r/one:alias`)).stdout.trim().split('\n').length, 2);
    assert.deepEqual((await cli('images', '-q')).stdout.trim().split('\n').sort(), [one, two, epoch].map((i) => short(i.configDigest)).sort());
    assert.equal(JSON.parse((await cli('images', '--format', 'json', `${reg.host}/r/two`)).stdout)[0].id, two.configDigest);
  });

  test('rmi $(images -q) removes every image, reporting each', async () => {
    const ids = (await cli('images', '-q')).stdout.trim().split('\n');
    const r = await cli('rmi', ...ids);
    assert.equal(r.code, 0, r.stderr);
    for (const n of ['r/one:1', 'r/one:alias', 'r/two:1', 'r/epoch:1']) assert.match(r.stdout, new RegExp(`^Untagged: ${reg.host.replace(/\./g, '\\.')}/${n}$`, 'm'));
    for (const i of [one, two, epoch]) assert.match(r.stdout, new RegExp(`^Deleted: ${i.configDigest}$`, 'm'));
    assert.equal((await cli('images', '-q')).stdout, '');
  });

  test('rmi by name untags only that name; by full digest or ID; every argument is tried and failures reported', async () => {
    const byName = await cli('rmi', `${reg.host}/r/one:alias`);
    assert.equal(byName.stdout, `Untagged: ${reg.host}/r/one:alias\n`, 'r/one:1 still names the image: nothing deleted');
    const r = await cli('rmi', 'nope', two.digest, `sha256:${'0'.repeat(64)}`, epoch.configDigest);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, `Untagged: ${reg.host}/r/two:1\nDeleted: ${two.configDigest}\nUntagged: ${reg.host}/r/epoch:1\nDeleted: ${epoch.configDigest}\n`);
    assert.match(r.stderr, /^regctl: no such image: nope:latest/m);
    assert.match(r.stderr, /no such image: sha256:0{64}/);
  });

  test('images -a (the store has no intermediate images: the same list), -q once per ID, -f reference= and dangling=', async () => {
    assert.equal((await cli('images', '-a')).stdout, (await cli('images')).stdout);
    const ids = (await cli('images', '-a', '-q')).stdout;
    assert.equal(ids, (await cli('images', '-q')).stdout);
    assert.equal(ids.trim().split('\n').length, 3, 'r/one:1 and r/one:alias are one image: its ID once');
    const rows = (args: string[]) => cli('images', ...args).then((r) => (assert.equal(r.code, 0, r.stderr), r.stdout.trim().split('\n').slice(1)));
    const names = (lines: string[]) => lines.map((l) => l.split(/\s+/).slice(0, 2).join(':').replace(`${reg.host}/`, '')).sort();
    assert.deepEqual(names(await rows(['-f', 'reference=*/r/one:*'])), ['r/one:1', 'r/one:alias']);
    assert.deepEqual(names(await rows(['--filter', 'reference=*/r/two', '-f', `reference=${reg.host}/r/e?och:1`])), ['r/epoch:1', 'r/two:1']);
    assert.equal((await cli('images', '-q', '-f', 'reference=*/r/tw[a-z]')).stdout, `${short(two.configDigest)}\n`);
    assert.deepEqual(await rows(['-f', 'reference=r/one']), [], 'a pattern matches the whole name: r/one is docker.io/r/one');
    assert.deepEqual(await rows(['-f', 'dangling=true']), []);
    const archive = join(home.dir, 'unnamed.tar');
    assert.equal((await cli('copy', '-q', `${reg.host}/r/two:1`, `oci-archive:${archive}`)).code, 0);
    assert.equal((await cli('load', '-q', '-i', archive)).code, 0);
    const dangling = await rows(['-f', 'dangling=true', '--digests']);
    assert.equal(dangling.length, 1);
    assert.match(dangling[0]!, new RegExp(`^<none>\\s+<none>\\s+${two.digest} `));
    assert.equal((await rows(['-f', 'dangling=false'])).length, 4);
    for (const bad of ['label=a', 'dangling=maybe', 'reference=', 'since']) {
      const r = await cli('images', '-f', bad);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--filter/);
    }
    assert.equal((await cli('images', '-f', 'reference=a[b')).code, 2);
  });

  test('ls REPO of a repository the store has nothing of is never an empty table: exit 3 pointing to the registry\'s tags', async () => {
    for (const args of [['ls', `${reg.host}/r/three`], ['images', '-q', `${reg.host}/r/one:nope`]]) {
      const r = await cli(...args);
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^regctl: the local store has no image of /m);
    }
    const r = await cli('ls', `${reg.host}/r/three`);
    assert.match(r.stderr, new RegExp(`^hint: images lists the local store only; the tags of the registry repository: regctl tags ${reg.host.replace(/\./g, '\\.')}/r/three$`, 'm'));
    assert.equal((await cli('ls', '-f', 'reference=*/r/three')).code, 0, 'a filter that matches nothing is an empty list, as docker');
  });

  test('rmi of an ID several repositories name needs -f; then it untags them all', async () => {
    assert.equal((await cli('tag', `${reg.host}/r/one:1`, `${reg.host}/other/name:1`)).code, 0);
    const refused = await cli('rmi', short(one.configDigest));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /must be forced.*referenced in 2 repositories/);
    assert.match(refused.stderr, /^hint: remove it by name, or untag every name: give --force$/m);
    assert.equal((await cli('images', '-q', `${reg.host}/r/one`)).stdout.trim(), short(one.configDigest));
    const forced = await cli('rmi', '-f', short(one.configDigest));
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout.match(/^Untagged: /gm)?.length, 3);
    assert.match(forced.stdout, new RegExp(`^Deleted: ${one.configDigest}$`, 'm'));
  });
});

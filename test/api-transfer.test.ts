// The transfers through the library's door (issue 25 §1), against real registries: prune (a plan, then a prune at a
// given `now`), copyAllTags, save's and copy's warnings through onWarning, and every transfer refusing an unknown
// option, a wrong type and a null with a UsageError naming the option, before anything is written.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  copy, copyAllTags, digest, images, load, NotFoundError, prune, pull, push, save, sync, tags, UsageError, type Warning,
} from '../src/index.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type Home } from './helpers/run-cli.js';
import { seedImage, seedIndex, type SeededImage } from './helpers/seed.js';

const DAY = 86_400_000;

describe('the transfers through the library', () => {
  let a: RegistryHandle;
  let b: RegistryHandle;
  let home: Home;
  let env: { env: Home['env']; homedir: string };
  let image: SeededImage;
  /** A tarball of `image`, saved by the library. */
  let tarball: string;

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    home = await makeHome();
    home.env.REGCTL_STORE = join(home.dir, 'store');
    env = { env: home.env, homedir: home.dir };
    image = await seedImage({ url: a.url }, 'lib/app', '1');
    tarball = join(home.dir, 'app.tar');
    await save(`${a.host}/lib/app:1`, tarball, env);
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await home.cleanup();
  });

  /** The UsageError of a bad option: named in `option`, in the message in library terms (no flag). */
  const refused = (option: string) => (err: unknown) => {
    assert.ok(err instanceof UsageError, `a UsageError, got ${String(err)}`);
    assert.equal(err.option, option);
    assert.match(err.message, new RegExp(`\\boption ${option.replace(/[.[\]]/g, '\\$&')}(?![\\w.])`));
    assert.doesNotMatch(err.message, /--|regctl /);
    return true;
  };
  const missing = (repository: string) => assert.rejects(tags(repository, env), NotFoundError, `${repository} was not written`);
  /** The settings with a local store of its own (empty until written to). */
  const ownStore = (name: string) => ({ env: { ...home.env, REGCTL_STORE: join(home.dir, name) }, homedir: home.dir });

  test('prune plans with dryRun (nothing deleted), then prunes by age counted back from `now`', async () => {
    const created = ['2024-03-01', '2024-03-02', '2024-03-08', '2024-03-09'];
    for (const [i, day] of created.entries()) await seedImage({ url: a.url }, 'prune/app', `build-${i + 1}`, { created: `${day}T12:00:00Z`, layers: [] });
    await seedImage({ url: a.url }, 'prune/app', 'stable', { created: '2024-01-01T00:00:00Z', layers: [] });
    const now = new Date('2024-03-10T00:00:00Z');
    const rules = { match: /^build-/, olderThanMs: 7 * DAY, now };

    const plan = await prune(`${a.host}/prune/app`, { ...env, ...rules, dryRun: true });
    assert.equal(plan.dryRun, true);
    const decided = Object.fromEntries(plan.tags.map((t) => [t.tag, t.decision]));
    assert.deepEqual(decided, { 'build-1': 'delete', 'build-2': 'delete', 'build-3': 'keep', 'build-4': 'keep', stable: 'keep' });
    assert.deepEqual(plan.actions.map((x) => [x.kind, x.tag, x.status]), [['untag', 'build-2', 'planned'], ['untag', 'build-1', 'planned']]);
    assert.deepEqual((await tags(`${a.host}/prune/app`, env)).sort(), ['build-1', 'build-2', 'build-3', 'build-4', 'stable']);

    const events: string[] = [];
    const done = await prune(`${a.host}/prune/app`, { ...env, ...rules, now: now.getTime(), onProgress: (e) => e.kind === 'deleted' && events.push(e.item.tag!) });
    assert.equal(done.dryRun, false);
    assert.deepEqual([done.deleted, done.kept, done.failed], [2, 3, 0]);
    assert.deepEqual(done.actions.map((x) => x.status), ['done', 'done']);
    assert.deepEqual(events.sort(), ['build-1', 'build-2']);
    assert.deepEqual((await tags(`${a.host}/prune/app`, env)).sort(), ['build-3', 'build-4', 'stable']);
  });

  test('prune without a rule, or withSignatures without deleteUntagged, is a UsageError naming the option', async () => {
    await assert.rejects(prune(`${a.host}/lib/app`, env), (err) => refused('keep')(err) && /option olderThanMs, option match or option semver/.test((err as Error).message));
    await assert.rejects(prune(`${a.host}/lib/app`, { ...env, keep: 1, withSignatures: true }), refused('withSignatures'));
    await assert.rejects(prune(`${a.host}/lib/app`, { ...env, match: '(' }), refused('match'));
    await assert.rejects(prune(`${a.host}/lib/app`, { ...env, keep: 1, keepTags: ['^v', '['] }), refused('keepTags[1]'));
    assert.deepEqual(await tags(`${a.host}/lib/app`, env), ['1']);
  });

  test('copyAllTags copies every tag with the source digests; a second run skips them all; a tag is refused', async () => {
    const more = await seedImage({ url: a.url }, 'all/app', 'v1', { layers: [] });
    await seedImage({ url: a.url }, 'all/app', 'v2');
    const first = await copyAllTags(`${a.host}/all/app`, `${b.host}/all-copy/app`, env);
    assert.deepEqual([first.copied, first.skipped, first.failed, first.dryRun], [2, 0, 0, false]);
    assert.deepEqual(first.images.map((i) => i.destination).sort(), [`${b.host}/all-copy/app:v1`, `${b.host}/all-copy/app:v2`]);
    assert.equal(await digest(`${b.host}/all-copy/app:v1`, env), more.digest);
    const again = await copyAllTags(`${a.host}/all/app`, `${b.host}/all-copy/app`, { ...env, imageJobs: 1 });
    assert.deepEqual([again.copied, again.skipped, again.bytes], [0, 2, 0]);
    await assert.rejects(copyAllTags(`${a.host}/all/app:v1`, `${b.host}/all-one/app`, env), (err) => err instanceof UsageError && /names one image/.test(err.message));
    await missing(`${b.host}/all-one/app`);
  });

  test('save warns through onWarning when it writes a new index for some platforms; not for all of them', async () => {
    await seedIndex({ url: a.url }, 'multi/app', '1', [
      { os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 's390x' },
    ]);
    const warnings: Warning[] = [];
    const two = join(home.dir, 'two.tar');
    const names = await save(`${a.host}/multi/app:1`, two, { ...env, platform: ['linux/amd64', { os: 'linux', architecture: 'arm64' }], onWarning: (w) => warnings.push(w) });
    assert.deepEqual(names, [`${a.host}/multi/app:1`]);
    assert.ok(existsSync(two));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.code, 'NEW_INDEX');
    assert.match(warnings[0]!.message, /saved as a new index with only linux\/amd64, linux\/arm64 \(digest sha256:[0-9a-f]{64}/);
    const whole: Warning[] = [];
    await save(`${a.host}/multi/app:1`, join(home.dir, 'all.tar'), { ...env, platform: 'all', onWarning: (w) => whole.push(w) });
    assert.deepEqual(whole, []);
  });

  test('copy warns through onWarning when a Docker manifest goes into an OCI layout as is, naming the option that converts', async () => {
    const warnings: Warning[] = [];
    await copy(`${a.host}/lib/app:1`, `oci:${join(home.dir, 'layout')}:1`, { ...env, onWarning: (w) => warnings.push(w) });
    assert.deepEqual(warnings.map((w) => w.code), ['DOCKER_FORMAT_KEPT']);
    assert.match(warnings[0]!.message, /option manifestFormat 'oci' converts it/);
    const converted: Warning[] = [];
    const result = await copy(`${a.host}/lib/app:1`, `oci:${join(home.dir, 'converted')}:1`, { ...env, manifestFormat: 'oci', onWarning: (w) => converted.push(w) });
    assert.deepEqual(converted, []);
    assert.notEqual(result.digest, image.digest);
  });

  test('pull takes platform as one, several or "all"', async () => {
    const idx = await seedIndex({ url: a.url }, 'pull/app', '1', [
      { os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }, { os: 'linux', architecture: 's390x' },
    ]);
    const ref = `${a.host}/pull/app:1`;
    const stored = async () => (await images(`${a.host}/pull/app`, env)).map((i) => i.digest);
    await pull(ref, { ...env, platform: 'linux/arm64' });
    assert.deepEqual(await stored(), [idx.manifests[1]!.digest]);
    await pull(ref, { ...env, platform: 'all' });
    assert.deepEqual(await stored(), [idx.digest]);
    await pull(ref, { ...env, platform: ['linux/amd64', 'linux/s390x'] });
    const [subset] = await stored();
    assert.notEqual(subset, idx.digest, 'a new index of the two platforms');
    await assert.rejects(pull(ref, { ...env, platform: [] }), refused('platform'));
  });

  test('every transfer refuses an unknown option, a wrong type and a null (UsageError naming it); nothing is written', async () => {
    const env = ownStore('refused-store');
    const src = `${a.host}/lib/app:1`;
    const layout = join(home.dir, 'never');
    const out = join(home.dir, 'never.tar');
    const file = join(home.dir, 'sync.yaml');
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['tag', () => copy(src, `${b.host}/never/copy:1`, { ...env, tag: 'x' } as never)],
      ['platform', () => copy(src, `oci:${layout}:1`, { ...env, platform: 42 } as never)],
      ['manifestFormat', () => copy(src, `${b.host}/never/copy:1`, { ...env, manifestFormat: 'v2s2' } as never)],
      ['manifestFormat', () => copy(src, `${b.host}/never/copy:1`, { ...env, manifestFormat: null } as never)],
      ['manifestFormat', () => copy(src, `${b.host}/never/copy:1`, { ...env, manifestFormat: 'oci', dryRun: true })],
      ['platform', () => copyAllTags(`${a.host}/lib/app`, `${b.host}/never/all`, { ...env, platform: 'linux/amd64' } as never)],
      ['keepGoing', () => copyAllTags(`${a.host}/lib/app`, `${b.host}/never/all`, { ...env, keepGoing: 'yes' } as never)],
      ['imageJobs', () => copyAllTags(`${a.host}/lib/app`, `${b.host}/never/all`, { ...env, imageJobs: null } as never)],
      ['allPlatforms', () => pull(src, { ...env, allPlatforms: true } as never)],
      ['platform[1]', () => pull(src, { ...env, platform: ['linux/amd64', 7] } as never)],
      ['credentials', () => pull(src, { ...env, credentials: null } as never)],
      ['credentials.creds', () => pull(src, { ...env, credentials: { creds: 'alice:pw' } } as never)],
      ['to', () => push(`${b.host}/never/push:1`, { ...env, to: 'x' } as never)],
      ['jobs', () => push(`${b.host}/never/push:1`, { ...env, jobs: 0 })],
      ['onProgress', () => push(`${b.host}/never/push:1`, { ...env, onProgress: null } as never)],
      ['platforms', () => save(src, out, { ...env, platforms: 'all' } as never)],
      ['platform', () => save(src, out, { ...env, platform: '../../etc' })],
      ['referrers', () => save(src, out, { ...env, referrers: null } as never)],
      ['tag', () => load(tarball, { ...env, tag: 'x' } as never)],
      ['name', () => load(tarball, { ...env, name: 5 } as never)],
      ['jobs', () => load(tarball, { ...env, jobs: null } as never)],
      ['filter', () => sync(`${a.host}/lib/app`, `${b.host}/never/sync`, { ...env, filter: '^1' } as never)],
      ['tags', () => sync(`${a.host}/lib/app`, `${b.host}/never/sync`, { ...env, tags: 5 } as never)],
      ['dryRun', () => sync(`${a.host}/lib/app`, `${b.host}/never/sync`, { ...env, dryRun: null } as never)],
      ['tags', () => sync(`${a.host}/lib/app:1`, `${b.host}/never/sync`, { ...env, tags: '^1' })],
      ['tags', () => sync({ path: file }, `${b.host}/never`, { ...env, tags: '^1' })],
      ['source.scope', () => sync({ path: file, scope: true } as never, `${b.host}/never`, env)],
      ['olderThan', () => prune(`${a.host}/lib/app`, { ...env, olderThan: '30d' } as never)],
      ['now', () => prune(`${a.host}/lib/app`, { ...env, keep: 0, now: 'yesterday' } as never)],
      ['keep', () => prune(`${a.host}/lib/app`, { ...env, keep: null } as never)],
      ['keep', () => prune(`${a.host}/lib/app`, { ...env, keep: 1.5 })],
    ];
    for (const [option, call] of cases) await assert.rejects(call(), refused(option), `${option}: ${call.toString()}`);

    for (const repository of ['never/copy', 'never/all', 'never/push', 'never/sync']) await missing(`${b.host}/${repository}`);
    assert.ok(!existsSync(layout) && !existsSync(out), 'no layout, no tarball');
    assert.deepEqual(await images(undefined, env), [], 'nothing pulled or loaded');
    assert.deepEqual(await tags(`${a.host}/lib/app`, env), ['1'], 'nothing pruned');
  });

  test('load names the option a name for an archive of two named images does not fit; nothing is loaded', async () => {
    const env = ownStore('load-store');
    const dir = join(home.dir, 'two-images');
    await mkdir(dir, { recursive: true });
    const two = join(dir, 'two.tar');
    await seedImage({ url: a.url }, 'lib/other', '1', { layers: [] });
    await save([`${a.host}/lib/app:1`, `${a.host}/lib/other:1`], two, env);
    await assert.rejects(load(two, { ...env, name: 'renamed:1' }), refused('name'));
    assert.deepEqual(await images(undefined, env), []);
  });
});

// The local store (tag, images, rmi), the registry tag (tagRemote) and the image changes (mutate, append, flatten,
// rebase, exportImage) through the library's door: a real registry, a store and a TMPDIR of the test's own.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import {
  append, CancelledError, copy, digest, exportImage, flatten, images, inspect, load, mutate, pull, rebase, rmi, SCRATCH, tag, tagRemote,
  UsageError, type RegctlError,
} from '../src/index.js';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, type Home } from './helpers/run-cli.js';
import { seedImage, tarLayer, type SeededImage } from './helpers/seed.js';

describe('local store and image changes through the library', () => {
  let reg: RegistryHandle;
  let counted: ProxyHandle;
  let home: Home;
  let app: SeededImage;
  let base: SeededImage;
  let T: string;
  let TMP: string;
  /** The settings of every call: the test's HOME, store and TMPDIR. */
  let env: { env: Home['env']; homedir: string };
  let image: string;

  before(async () => {
    reg = await startRegistry();
    counted = await startProxy(reg.url);
    home = await makeHome();
    T = join(home.dir, 'work');
    TMP = join(home.dir, 'tmp');
    await Promise.all([mkdir(T), mkdir(TMP)]);
    home.env.REGCTL_STORE = join(home.dir, 'store');
    home.env.TMPDIR = TMP;
    env = { env: home.env, homedir: home.dir };
    base = await seedImage({ url: reg.url }, 'lib/base', '1', { layers: [tarLayer({ 'base.txt': 'base\n' })] });
    app = await seedImage({ url: reg.url }, 'lib/app', '1', { layers: [tarLayer({ 'base.txt': 'base\n' }), tarLayer({ 'app.txt': 'app\n' })] });
    image = `${reg.host}/lib/app:1`;
  });
  after(async () => {
    await counted.stop();
    await reg.stop();
    await home.cleanup();
  });

  /** The files of the store's index and the registry tags an operation could have written, to show it wrote nothing. */
  const snapshot = async () => ({
    store: await readFile(join(home.env.REGCTL_STORE!, 'index.json'), 'utf8').catch(() => ''),
    app: await digest(image, env),
    work: (await readdir(T)).sort(),
    tmp: await readdir(TMP),
  });

  const usage = (option: string) => (err: unknown) => {
    assert.ok(err instanceof UsageError, `a UsageError, not ${String(err)}`);
    assert.equal(err.option, option, err.message);
    return true;
  };

  test('tag, images (a repository, reference and dangling filters) and rmi (force for an ID several repositories name)', async () => {
    await pull(image, env);
    await tag(image, `${reg.host}/other/app:7`, env);
    assert.deepEqual((await images(`${reg.host}/lib/app`, env)).map((i) => i.name), [image]);
    assert.deepEqual((await images(`${reg.host}/nothing/here`, env)), [], 'the library lists what there is: nothing');
    const byPattern = await images(undefined, { ...env, filter: { reference: ['*/other/*', `${reg.host}/lib/app:[0-9]`] } });
    assert.deepEqual(byPattern.map((i) => i.name).sort(), [image, `${reg.host}/other/app:7`].sort());
    assert.deepEqual(await images(undefined, { ...env, filter: { reference: '*/other/app:8' } }), []);
    await assert.rejects(images(undefined, { ...env, filter: { reference: 'a[b' } }), usage('filter.reference'));

    const archive = join(T, 'unnamed.tar');
    await copy(`${reg.host}/lib/base:1`, `oci-archive:${archive}`, env);
    await load(archive, env);
    const dangling = await images(undefined, { ...env, filter: { dangling: true } });
    assert.deepEqual(dangling.map((i) => [i.repository, i.digest]), [['<none>', base.digest]]);
    assert.ok((await images(undefined, { ...env, filter: { dangling: false } })).every((i) => i.repository !== '<none>'));

    const id = app.configDigest.slice(7, 19);
    const [refused] = await rmi(id, env);
    assert.ok(refused && 'error' in refused);
    const conflict = refused.error as RegctlError;
    assert.equal(conflict.code, 'ERR_IMAGE_CONFLICT');
    assert.equal(conflict.option, 'force');
    assert.doesNotMatch(`${conflict.message} ${conflict.hint}`, /regctl|-f\b/, 'the library speaks of its option, not of a flag');
    const [forced] = await rmi([id], { ...env, force: true });
    assert.ok(forced && 'result' in forced);
    assert.deepEqual(forced.result.untagged.sort(), [image, `${reg.host}/other/app:7`].sort());
    assert.deepEqual(await images(`${reg.host}/lib/app`, env), []);
  });

  test('tagRemote: the new tag points at the same digest, from one manifest GET and one PUT (no blob moved)', async () => {
    const source = `${counted.host}/lib/app:1`;
    await digest(source, env); // the ping is remembered: only tagRemote's own requests are counted
    counted.requests.length = 0;
    const r = await tagRemote(source, 'stable', env);
    assert.deepEqual(r, { name: `${counted.host}/lib/app:stable`, digest: app.digest });
    assert.deepEqual(counted.requests, ['GET /v2/lib/app/manifests/1', 'PUT /v2/lib/app/manifests/stable']);
    assert.equal(await digest(`${reg.host}/lib/app:stable`, env), app.digest);
    const byDigest = await tagRemote(`${reg.host}/lib/app@${app.digest}`, 'pinned', env);
    assert.equal(byDigest.digest, app.digest);
    assert.equal(await digest(`${reg.host}/lib/app:pinned`, env), app.digest);
    await assert.rejects(tagRemote(image, `${reg.host}/lib/app:2`, env), (err) => err instanceof UsageError && /is not a tag/.test(err.message));
    await assert.rejects(tagRemote(image, 'x', { ...env, credentials: { creds: 'me' } } as never), usage('credentials.creds'));
  });

  test('mutate, append, flatten, rebase and exportImage write where `to` says, platforms given as strings', async () => {
    const labelled = await mutate(image, { ...env, to: `${reg.host}/lib/app:labelled`, platform: 'linux/amd64', config: { labels: { tier: 'web' } }, manifestFormat: 'oci' });
    assert.equal(labelled.destination, `${reg.host}/lib/app:labelled`);
    assert.equal(await digest(labelled.destination, env), labelled.digest);
    assert.equal(await digest(image, env), app.digest, 'the source is untouched');
    const dir = join(T, 'layer-dir');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'added.txt'), 'added\n');
    const appended = await append(image, { ...env, to: `oci:${join(T, 'layout')}:appended`, layers: [{ dir, dest: '/opt' }], reproducible: true });
    assert.equal((await inspect(`oci:${join(T, 'layout')}:appended`, env)).image?.layers.length, 3);
    const flat = await flatten(`oci:${join(T, 'layout')}:appended`, { ...env, to: `oci:${join(T, 'layout')}:flat` });
    assert.notEqual(flat.digest, appended.digest);
    assert.equal((await inspect(`oci:${join(T, 'layout')}:flat`, env)).image?.layers.length, 1);
    const rebased = await rebase(image, { ...env, oldBase: `${reg.host}/lib/base:1`, newBase: `${reg.host}/lib/base:1`, to: `${reg.host}/lib/app:rebased` });
    assert.equal(await digest(`${reg.host}/lib/app:rebased`, env), rebased.digest);
    const scratch = await append(SCRATCH, { ...env, to: `oci:${join(T, 'layout')}:scratch`, layers: [{ dir }], platform: 'linux/arm64' });
    assert.equal(await digest(`oci:${join(T, 'layout')}:scratch`, env), scratch.digest);
    const tar = join(T, 'fs.tar');
    await exportImage(`oci:${join(T, 'layout')}:flat`, tar, env);
    assert.ok((await readFile(tar)).includes('added\n'), 'the appended file is in the exported filesystem');
    await assert.rejects(rebase(image, { ...env, newBase: `${reg.host}/lib/base:1` } as never), usage('oldBase'));
  });

  test('`to` is the destination everywhere: target, tag, destination are refused by name and the source tag stays', async () => {
    const before = await snapshot();
    const layers = [{ tar: join(T, 'none.tar') }];
    await assert.rejects(mutate(image, { ...env, target: `${reg.host}/lib/app:2`, config: { labels: { a: 'b' } } } as never), usage('target'));
    await assert.rejects(append(image, { ...env, tag: `${reg.host}/lib/app:2`, layers } as never), usage('tag'));
    await assert.rejects(flatten(image, { ...env, destination: `${reg.host}/lib/app:2` } as never), usage('destination'));
    await assert.rejects(append(SCRATCH, { ...env, layers }), (err) => usage('to')(err) && /give option to/.test((err as Error).message));
    await assert.rejects(mutate(`${reg.host}/lib/app@${app.digest}`, { ...env, config: { labels: { a: 'b' } } }), usage('to'));
    assert.deepEqual(await snapshot(), before, 'nothing written');
  });

  test('every operation checks its options first: an unknown name, a wrong type or null is a UsageError naming it, nothing written', async () => {
    const before = await snapshot();
    const out = join(T, 'never.tar');
    const calls: Array<[string, (opts: object) => Promise<unknown>, Record<string, unknown>]> = [
      ['tag', (o) => tag(image, `${reg.host}/never/app:1`, o), { signal: 'now' }],
      ['tagRemote', (o) => tagRemote(image, 'never', o), { credentials: 'alice' }],
      ['images', (o) => images(undefined, o), { filter: { reference: 7 } }],
      ['rmi', (o) => rmi(image, o), { force: 'yes' }],
      ['mutate', (o) => mutate(image, o), { to: 42 }],
      ['append', (o) => append(image, { layers: [{ tar: 'x' }], ...o }), { compress: 'xz' }],
      ['flatten', (o) => flatten(image, o), { platform: 'linux' }],
      ['rebase', (o) => rebase(image, { oldBase: image, newBase: image, ...o }), { manifestFormat: 'v2s2' }],
      ['exportImage', (o) => exportImage(image, out, o), { platform: { os: 'linux' } }],
    ];
    for (const [name, call, wrong] of calls) {
      await assert.rejects(call({ ...env, bogus: true }), usage('bogus'), `${name}: unknown option`);
      const [key] = Object.keys(wrong);
      const nested = key === 'filter' ? 'filter.reference' : key!;
      await assert.rejects(call({ ...env, ...wrong }), usage(nested), `${name}: wrong type`);
      await assert.rejects(call({ ...env, [key!]: null }), usage(key!), `${name}: null`);
    }
    await assert.rejects(append(image, { ...env, layers: [{ tar: 'a', dir: 'b' }] } as never), usage('layers[0].dir'));
    await assert.rejects(mutate(image, { ...env, config: { labels: { a: 1 } } } as never), usage('config.labels'));
    await assert.rejects(exportImage(image, 42 as never, env), UsageError);
    assert.deepEqual(await snapshot(), before, 'nothing written');
    assert.ok(!existsSync(out));
  });

  describe('cancellation of local work', () => {
    let big: string;
    let layout: string;

    before(async () => {
      big = join(T, 'big');
      await mkdir(big, { recursive: true });
      await writeFile(join(big, 'random.bin'), randomBytes(48 * 1024 * 1024));
      await writeFile(join(big, 'small.txt'), 'small\n');
      layout = join(T, 'big-layout');
      await append(SCRATCH, { ...env, to: `oci:${layout}:big`, layers: [{ dir: big }] });
    });

    /** Aborts when `ready` says the work is under way; the time from the abort to the rejection, and the error. */
    async function abortMidway(work: (signal: AbortSignal) => Promise<unknown>, ready: () => Promise<boolean>): Promise<{ ms: number; err: unknown }> {
      const controller = new AbortController();
      const reason = new Error('stopped by the test');
      let abortedAt = 0;
      const watch = setInterval(() => {
        void ready().then((yes) => {
          if (yes && !abortedAt) {
            abortedAt = performance.now();
            controller.abort(reason);
          }
        });
      }, 5);
      try {
        await work(controller.signal);
        assert.fail('the work finished before it could be cancelled');
      } catch (err) {
        assert.ok(abortedAt, `it failed before the abort: ${String(err)}`);
        assert.ok(err instanceof CancelledError && err.cause === reason, String(err));
        return { ms: performance.now() - abortedAt, err };
      } finally {
        clearInterval(watch);
      }
    }

    /** The size of the largest file in `dir` whose name starts with `prefix` (a partial file being written). */
    async function largest(dir: string, prefix: string): Promise<number> {
      let max = 0;
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        if (name.startsWith(prefix)) max = Math.max(max, (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size);
      }
      return max;
    }

    test('append of a local directory stops within 100 ms of the signal; nothing written, no temp file left', async () => {
      const destination = join(T, 'cancelled-layout');
      const { ms } = await abortMidway(
        (signal) => append(image, { ...env, signal, to: `oci:${destination}:x`, layers: [{ dir: big }] }),
        async () => (await Promise.all((await readdir(TMP)).map((scratch) => largest(join(TMP, scratch), 'layer-')))).some((size) => size > 1024 * 1024),
      );
      assert.ok(ms < 100, `stopped ${ms.toFixed(0)} ms after the signal`);
      assert.ok(!existsSync(destination), 'the destination was never opened');
      assert.deepEqual(await readdir(TMP), [], 'the scratch directory and its partial layer are gone');
    });

    test('export stops within 100 ms of the signal; no output file and no temp file left', async () => {
      const out = join(T, 'cancelled.tar');
      const { ms } = await abortMidway(
        (signal) => exportImage(`oci:${layout}:big`, out, { ...env, signal }),
        async () => (await largest(T, 'cancelled.tar.tmp-')) > 1024 * 1024,
      );
      assert.ok(ms < 100, `stopped ${ms.toFixed(0)} ms after the signal`);
      assert.deepEqual((await readdir(T)).filter((n) => n.startsWith('cancelled.tar')), [], 'neither the output nor its temp file');
      assert.deepEqual(await readdir(TMP), [], 'the scratch directory is gone');
    });
  });
});

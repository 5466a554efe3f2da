// Several images in one call (digest, inspect, manifest head, tags): results in input order, each failure named on stderr, the
// worst exit code, inputs from --from-file or stdin.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, tarLayer, type SeededImage } from './helpers/seed.js';

describe('commands over several images', () => {
  let reg: RegistryHandle;
  let a: SeededImage;
  let b: SeededImage;
  let home: Home;
  const ref = (name: string) => `${reg.host}/${name}`;

  before(async () => {
    reg = await startRegistry();
    a = await seedImage({ url: reg.url }, 'app', '1', { layers: [tarLayer({ a: 'one' })] });
    b = await seedImage({ url: reg.url }, 'other', '2', { layers: [tarLayer({ b: 'two' })] });
    home = await makeHome();
  });
  after(async () => {
    await reg.stop();
    await home.cleanup();
  });

  test('digest: IMAGE DIGEST lines in input order; a missing and a malformed image named; exit 1 for failures of different kinds', async () => {
    const r = await runCli(['digest', ref('other:2'), ref('app:nope'), ref('app:1'), 'Bad::ref'], home.env);
    assert.equal(r.code, 1, 'not found (3) and a malformed reference (2) share no code: 1 (the one partial-failure rule)');
    assert.equal(r.stdout, `${ref('other:2')} ${b.digest}\n${ref('app:1')} ${a.digest}\n`);
    assert.match(r.stderr, new RegExp(`regctl: ${ref('app:nope')}: .*not found`));
    assert.match(r.stderr, /regctl: Bad::ref: invalid reference/);
    assert.match(r.stderr, /2 of 4 failed/);
  });

  test('manifest head: IMAGE DIGEST MEDIA-TYPE SIZE lines in input order, a JSON array, failures named', async () => {
    const r = await runCli(['manifest', 'head', ref('app:1'), ref('app:nope'), ref('other:2')], home.env);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, `${ref('app:1')} ${a.digest} ${a.mediaType} ${a.size}\n${ref('other:2')} ${b.digest} ${b.mediaType} ${b.size}\n`);
    assert.match(r.stderr, new RegExp(`regctl: ${ref('app:nope')}: `));
    const json = await runCli(['manifest', 'head', '--format', 'json', ref('other:2'), ref('app:1')], home.env);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), [
      { image: ref('other:2'), digest: b.digest, mediaType: b.mediaType, size: b.size },
      { image: ref('app:1'), digest: a.digest, mediaType: a.mediaType, size: a.size },
    ]);
  });

  test('tags over several repositories: REPOSITORY TAG lines in input order; JSON; a missing repository named', async () => {
    const r = await runCli(['tags', ref('other'), ref('nothing-here'), ref('app')], home.env);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, `${ref('other')} 2\n${ref('app')} 1\n`);
    assert.match(r.stderr, new RegExp(`regctl: ${ref('nothing-here')}: `));
    const json = await runCli(['tag', 'ls', '--format', 'json', ref('app'), ref('other')], home.env);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), [{ repository: ref('app'), tags: ['1'] }, { repository: ref('other'), tags: ['2'] }]);
    assert.equal((await runCli(['tags', ref('app')], home.env)).stdout, '1\n', 'one repository: the plain list');
  });

  test('digest --from-file: one image per line, blank lines and comments skipped, after the arguments', async () => {
    const file = join(home.dir, 'images.txt');
    await writeFile(file, `# images to check\n${ref('app:1')}\n\n  ${ref('other:2')}  \n`);
    const r = await runCli(['digest', ref('other:2'), '--from-file', file], home.env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${ref('other:2')} ${b.digest}\n${ref('app:1')} ${a.digest}\n${ref('other:2')} ${b.digest}\n`);
    const missing = await runCli(['digest', '--from-file', join(home.dir, 'absent.txt')], home.env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--from-file .*absent\.txt/);
    const none = await runCli(['digest'], home.env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no images given/);
  });

  test('digest --from-file - reads stdin; --format json gives each image its digest or its error', async () => {
    const r = await runCli(['digest', '--from-file', '-', '--format', 'json'], home.env, `${ref('app:1')}\n${ref('gone:1')}\n`);
    assert.equal(r.code, 3);
    const report = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(report[0], { image: ref('app:1'), digest: a.digest });
    assert.equal(report[1]!.image, ref('gone:1'));
    assert.equal(report[1]!.exitCode, 3);
    assert.match(String(report[1]!.error), /not found|not known/);
  });

  test('one image keeps the plain output: the digest alone', async () => {
    const r = await runCli(['digest', ref('app:1')], home.env);
    assert.equal(r.stdout, `${a.digest}\n`);
  });

  test('inspect: several images as JSON (each with its reference), in input order; --raw takes one image', async () => {
    const r = await runCli(['inspect', '--format', 'json', ref('other:2'), ref('app:1')], home.env);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { reference: string; digest: string }[];
    assert.deepEqual(report.map((x) => [x.reference, x.digest]), [[ref('other:2'), b.digest], [ref('app:1'), a.digest]]);
    const raw = await runCli(['inspect', '--raw', ref('other:2'), ref('app:1')], home.env);
    assert.equal(raw.code, 2);
    assert.match(raw.stderr, /--raw takes one image/);
  });
});

describe('save counts the whole archive from its first progress line', () => {
  test('two images: the plan line first, then every [k/N] with the same N', async () => {
    const reg = await startRegistry();
    const home = await makeHome();
    try {
      await seedImage({ url: reg.url }, 'one', '1', { layers: [tarLayer({ a: '1' }), tarLayer({ shared: 'x' })] });
      await seedImage({ url: reg.url }, 'two', '1', { layers: [tarLayer({ b: '2' }), tarLayer({ shared: 'x' })] });
      const r = await runCli(['save', '-o', join(home.dir, 'both.tar'), `${reg.host}/one:1`, `${reg.host}/two:1`], home.env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split('\n').filter(Boolean);
      // two configs, two own layers, one shared layer
      assert.match(lines[0]!, /: 5 blobs, /);
      const counts = lines.slice(1).map((l) => /\[(\d+)\/(\d+)\]$/.exec(l)).filter((m) => m !== null);
      assert.deepEqual(counts.map((m) => Number(m![2])), [5, 5, 5, 5, 5]);
      assert.deepEqual(counts.map((m) => Number(m![1])), [1, 2, 3, 4, 5]);
    } finally {
      await Promise.all([reg.stop(), home.cleanup()]);
    }
  });
});

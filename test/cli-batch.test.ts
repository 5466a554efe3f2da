// Several images in one call (digest, inspect): results in input order, each failure named on stderr, the
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

  test('digest: IMAGE DIGEST lines in input order; a missing and a malformed image named; the worst exit code', async () => {
    const r = await runCli(['digest', ref('other:2'), ref('app:nope'), ref('app:1'), 'Bad::ref'], home.env);
    assert.equal(r.code, 3, 'not found (3) is worse than a malformed reference (2)');
    assert.equal(r.stdout, `${ref('other:2')} ${b.digest}\n${ref('app:1')} ${a.digest}\n`);
    assert.match(r.stderr, new RegExp(`regctl: ${ref('app:nope')}: .*not found`));
    assert.match(r.stderr, /regctl: Bad::ref: invalid reference/);
    assert.match(r.stderr, /2 of 4 failed/);
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

// --from-file streams (issue 24 §4): a million lines in bounded memory, results printed as they come in input order,
// repeated references asked once; the library's batch operations take an async iterable and hand outcomes to onResult.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import { digests, inspectMany, manifestHeads, tagsMany, type Outcome } from '../src/index.js';
import { installed, runInstalled } from './helpers/installed.js';
import { startProxy, type ProxyHandle } from './helpers/proxy.js';
import { startRegistry, type RegistryHandle } from './helpers/registry.js';
import { makeHome, runCli, type Home } from './helpers/run-cli.js';
import { seedImage, tarLayer, type SeededImage } from './helpers/seed.js';

const IMAGES = 20;
const LINES = 1_000_000;
/**
 * Peak RSS allowed for a million lines. Streamed, it peaks at 130-137 MiB on a 2-core machine (the live heap stays at
 * 11 MiB: the rest is node, the bundle and V8's lazily grown young and old generations; the same at 100,000 lines:
 * 103 MiB). Holding the lines takes far more: the code before streaming reached 319 MiB a minute into this file (the
 * 57 MB of text, a string per line, an outcome per line; 17,538 of its million HEAD requests sent, nothing printed).
 */
const RSS_LIMIT_KIB = 200 * 1024;
const BIN = resolve(import.meta.dirname, '../bin/regctl.cjs');

describe('--from-file streams', () => {
  let reg: RegistryHandle;
  let proxy: ProxyHandle;
  let home: Home;
  let scratch: string;
  const images: { ref: string; seeded: SeededImage }[] = [];

  /** The manifest requests (HEAD or GET) the registry got since `from` (an index into proxy.requests). */
  const manifestRequests = (from: number) => proxy.requests.slice(from).filter((r) => /^(HEAD|GET) \/v2\/.+\/manifests\//.test(r));

  before(async () => {
    reg = await startRegistry();
    proxy = await startProxy(reg.url);
    home = await makeHome();
    scratch = await mkdtemp(join(tmpdir(), 'regctl-from-file-'));
    for (let i = 0; i < IMAGES; i++) {
      const repo = `from-file-stream/image-number-${String(i).padStart(2, '0')}`;
      const tag = `release-1.0.${i}`;
      const seeded = await seedImage({ url: reg.url }, repo, tag, { layers: [tarLayer({ file: `image ${i}` })] });
      images.push({ ref: `${proxy.host}/${repo}:${tag}`, seeded });
    }
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    await home?.cleanup();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('digest --from-file of a million lines: every line answered in order, 20 manifest requests, bounded RSS', async (t) => {
    const file = join(scratch, 'million.txt');
    const w = createWriteStream(file);
    w.write('# a million references, twenty images\n');
    for (let i = 0; i < LINES; i++) {
      let chunk = `${images[i % IMAGES]!.ref}\n`;
      if (i % 1000 === 999) chunk += '\n   \n# a comment line\n';
      if (!w.write(chunk)) await new Promise<void>((r) => w.once('drain', () => r()));
    }
    w.end();
    await finished(w);

    const from = proxy.requests.length;
    const timeFile = join(scratch, 'time.txt');
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, BIN, 'digest', '--from-file', file], { env: home.env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    // the output checked as it arrives (not held): line n is image n mod 20 and its digest
    let rest = '';
    let count = 0;
    let wrong: string | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const want = images[count % IMAGES]!;
        if (line !== `${want.ref} ${want.seeded.digest}` && wrong === undefined) wrong = `line ${count + 1}: ${line}`;
        count++;
      }
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, stderr);
    assert.equal(rest, '');
    assert.equal(wrong, undefined);
    assert.equal(count, LINES);

    const requests = manifestRequests(from);
    assert.equal(requests.length, IMAGES, `each image asked once: ${requests.length} manifest requests`);
    assert.equal(new Set(requests).size, IMAGES);
    const peakKiB = Number((await readFile(timeFile, 'utf8')).trim().split('\n').pop());
    t.diagnostic(`peak RSS ${Math.round(peakKiB / 1024)} MiB for ${LINES} lines`);
    assert.ok(peakKiB > 0 && peakKiB < RSS_LIMIT_KIB, `peak RSS ${Math.round(peakKiB / 1024)} MiB, limit ${RSS_LIMIT_KIB / 1024} MiB`);
  });

  test('digest --from-file -: the first result is printed while stdin is still open', async () => {
    const { bin } = await installed();
    const child = spawn(bin, ['digest', '--from-file', '-'], { env: home.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    let firstOutput: () => void;
    const gotOutput = new Promise<void>((r) => (firstOutput = r));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('\n')) firstOutput();
    });
    const closed = new Promise<number | null>((r) => child.on('close', r));
    child.stdin.write(`# slow input\n${images[0]!.ref}\n`);
    // stdin stays open until a result line came (or the command ended, or a guard against a hang ran out)
    let guard: NodeJS.Timeout | undefined;
    const seen = await Promise.race([
      gotOutput.then(() => 'output'),
      closed.then(() => 'exited'),
      new Promise<string>((r) => (guard = setTimeout(() => r('no output while stdin was open'), 60_000))),
    ]);
    clearTimeout(guard);
    const before = stdout;
    child.stdin.end(`${images[1]!.ref}\n${images[0]!.ref}\n`);
    const code = await closed;
    assert.equal(seen, 'output', stderr);
    assert.equal(before, `${images[0]!.ref} ${images[0]!.seeded.digest}\n`);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, [0, 1, 0].map((i) => `${images[i]!.ref} ${images[i]!.seeded.digest}\n`).join(''));
  });

  test('installed: repeated references asked once; failures named on stderr at each line, the exit code partialExitCode\'s', async () => {
    const file = join(scratch, 'repeats.txt');
    const gone = `${proxy.host}/from-file-stream/gone:1`;
    const lines = [images[0]!.ref, gone, images[1]!.ref, '', '# comment', images[0]!.ref, gone, images[1]!.ref, images[0]!.ref];
    await writeFile(file, `${lines.join('\n')}\n`);
    const from = proxy.requests.length;
    const r = await runInstalled(['digest', '--from-file', file], home.env);
    assert.equal(r.code, 3, r.stderr);
    const ok = lines.filter((l) => l && !l.startsWith('#') && l !== gone);
    assert.equal(r.stdout, ok.map((l) => `${l} ${images.find((i) => i.ref === l)!.seeded.digest}\n`).join(''));
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith(`regctl: ${gone}: `)).length, 2, r.stderr);
    assert.match(r.stderr, /2 of 7 failed/);
    const requests = manifestRequests(from);
    assert.equal(requests.length, 3, `three distinct references, three manifest requests: ${requests.join(', ')}`);
  });

  test('--format json of a small input: the bytes of JSON.stringify(entries, null, 2), as before', async () => {
    const file = join(scratch, 'small.txt');
    const gone = `${proxy.host}/from-file-stream/gone:1`;
    await writeFile(file, `${images[2]!.ref}\n${gone}\n${images[3]!.ref}\n`);
    const digestOut = await runCli(['digest', '--from-file', file, '--format', 'json'], home.env);
    assert.equal(digestOut.code, 3);
    const entries = JSON.parse(digestOut.stdout) as Record<string, unknown>[];
    assert.deepEqual(entries.map((e) => e.image), [images[2]!.ref, gone, images[3]!.ref]);
    assert.deepEqual(entries[0], { image: images[2]!.ref, digest: images[2]!.seeded.digest });
    assert.equal(digestOut.stdout, `${JSON.stringify(entries, null, 2)}\n`);
    for (const args of [['manifest', 'head'], ['inspect'], ['tags']]) {
      const inputs = args[0] === 'tags' ? [images[2]!.ref.replace(/:[^:]*$/, ''), images[3]!.ref.replace(/:[^:]*$/, '')] : [images[2]!.ref, images[3]!.ref];
      const r = await runCli([...args, '--format', 'json', '--from-file', '-'], home.env, `${inputs.join('\n')}\n`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${JSON.stringify(JSON.parse(r.stdout), null, 2)}\n`, args.join(' '));
      assert.equal((JSON.parse(r.stdout) as unknown[]).length, 2);
    }
    // templates run once per input, in input order, the missing one named on stderr
    const repos = [images[3]!.ref, gone, images[2]!.ref].map((r) => r.replace(/:[^:]*$/, ''));
    const listed = await runCli(['tags', '--format', '{{.Repository}} {{join .Tags ","}}', '--from-file', '-'], home.env, `${repos.join('\n')}\n`);
    assert.equal(listed.code, 3);
    assert.equal(listed.stdout, `${repos[0]} release-1.0.3\n${repos[2]} release-1.0.2\n`);
    assert.match(listed.stderr, /from-file-stream\/gone: /);
    const heads = await runCli(['manifest', 'head', '--format', '{{.Digest}}', '--from-file', '-'], home.env, `${images[3]!.ref}\n${images[2]!.ref}\n${images[3]!.ref}\n`);
    assert.equal(heads.stdout, [3, 2, 3].map((i) => `${images[i]!.seeded.digest}\n`).join(''));
    // text: inspect's blocks separated by one blank line, as before
    const text = await runCli(['inspect', '--from-file', '-'], home.env, `${images[2]!.ref}\n${images[3]!.ref}\n`);
    const one = await runCli(['inspect', images[2]!.ref], home.env);
    const two = await runCli(['inspect', images[3]!.ref], home.env);
    assert.equal(text.stdout, `${one.stdout}\n${two.stdout}`);
  });

  test('library: digests of an async iterable hands outcomes to onResult before the input ends, each image asked once', async () => {
    let firstResult: () => void;
    const resultCame = new Promise<void>((r) => (firstResult = r));
    let guard: NodeJS.Timeout | undefined;
    let waitedForResult = false;
    async function* lines() {
      for (const { ref } of images) yield ref;
      // the rest of the input only once a result was handed on (a batch that reads all its input first never gets it)
      waitedForResult = await Promise.race([resultCame.then(() => true), new Promise<boolean>((r) => (guard = setTimeout(() => r(false), 60_000)))]);
      clearTimeout(guard);
      for (let round = 0; round < 500; round++) for (const { ref } of images) yield ref;
    }
    const from = proxy.requests.length;
    const seen: Outcome<string>[] = [];
    const summary = await digests(lines(), { env: home.env, homedir: home.dir, onResult: (o) => { seen.push(o); firstResult(); } });
    assert.ok(waitedForResult, 'an outcome was handed on before the input ended');
    assert.deepEqual(summary, { total: IMAGES * 501, failed: 0 });
    assert.equal(seen.length, IMAGES * 501);
    seen.forEach((o, n) => assert.deepEqual(o, { input: images[n % IMAGES]!.ref, result: images[n % IMAGES]!.seeded.digest }));
    assert.equal(manifestRequests(from).length, IMAGES);
  });

  test('library: the array forms still return arrays; inspectMany, manifestHeads and tagsMany take iterables and onResult', async () => {
    const opts = { env: home.env, homedir: home.dir };
    const refs = [images[4]!.ref, images[5]!.ref, images[4]!.ref];
    const arr = await digests(refs, opts);
    assert.deepEqual(arr.map((o) => ('result' in o ? o.result : o.error)), [images[4]!.seeded.digest, images[5]!.seeded.digest, images[4]!.seeded.digest]);
    const heads = await manifestHeads(new Set(refs), opts);
    assert.deepEqual(heads.map((o) => ('result' in o ? o.result.digest : o.error)), [images[4]!.seeded.digest, images[5]!.seeded.digest]);
    const inspected: string[] = [];
    const s = await inspectMany((async function* () { yield* refs; })(), { ...opts, onResult: (o) => void inspected.push('result' in o ? o.result.digest : 'error') });
    assert.deepEqual(s, { total: 3, failed: 0 });
    assert.deepEqual(inspected, [images[4]!.seeded.digest, images[5]!.seeded.digest, images[4]!.seeded.digest]);
    const listed: Outcome<string[]>[] = [];
    const t = await tagsMany([refs[0]!.replace(/:[^:]*$/, ''), `${proxy.host}/from-file-stream/gone`], { ...opts, onResult: (o) => void listed.push(o) });
    assert.deepEqual(t, { total: 2, failed: 1 });
    assert.deepEqual('result' in listed[0]! && listed[0].result, ['release-1.0.4']);
    assert.equal(listed[1]!.input, `${proxy.host}/from-file-stream/gone`);
    await assert.rejects(digests(42 as never, opts), /argument images: want an array, iterable or async iterable of strings/);
  });
});

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { progressReporter } from '../src/output/progress.js';
import { runCli } from './helpers/run-cli.js';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;

test('not a terminal: one plain line per finished blob, no escape codes', async () => {
  const out = capture(false);
  const p = await progressReporter(out.stream, { quiet: false, color: false });
  p.wait('Resolving');
  p.onProgress!({ kind: 'bytes', image: 'x', digest: A, size: 2000, done: 1000 });
  p.onProgress!({ kind: 'blob', image: 'x', digest: A, size: 2000, result: 'pushed' });
  p.onProgress!({ kind: 'blob', image: 'x', digest: B, size: 10, result: 'mounted' });
  p.stop();
  assert.equal(out.text(), 'aaaaaaaaaaaa: done (2kB)\nbbbbbbbbbbbb: mounted (10B)\n');
});

test('a terminal 0 columns wide (an unsized pty) gets plain lines, not a redraw that never fits', async () => {
  const out = capture(true);
  Object.assign(out.stream, { columns: 0 });
  const p = await progressReporter(out.stream, { quiet: false, color: false });
  p.onProgress!({ kind: 'bytes', image: 'x', digest: A, size: 2000, done: 1000 });
  p.onProgress!({ kind: 'blob', image: 'x', digest: A, size: 2000, result: 'pushed' });
  p.stop();
  assert.equal(out.text(), 'aaaaaaaaaaaa: done (2kB)\n');
});

test('a terminal: live lines per blob with bytes and rate, and an overall line, redrawn in place', async () => {
  const out = capture(true);
  const p = await progressReporter(out.stream, { quiet: false, color: false });
  p.onProgress!({ kind: 'bytes', image: 'x', digest: A, size: 5_000_000, done: 1_000_000 });
  p.onProgress!({ kind: 'blob', image: 'x', digest: B, size: 300, result: 'exists' });
  p.stop();
  const text = out.text();
  assert.match(text, /aaaaaaaaaaaa: 1MB \/ 5MB {2}[\d.]+[kMG]?B\/s/);
  assert.match(text, /bbbbbbbbbbbb: exists \(300B\)/);
  assert.match(text, /1\/2 blobs, [\d.]+MB \/ [\d.]+MB\n$/);
  assert.match(text, /\x1b\[\d+F\x1b\[J/, 'redraws over the previous lines');
});

test('quiet prints nothing', async () => {
  const out = capture(true);
  const p = await progressReporter(out.stream, { quiet: true, color: false });
  assert.equal(p.onProgress, undefined);
  p.wait('x');
  p.stop();
  assert.equal(out.text(), '');
});

test('errors are coloured only on a terminal and never with NO_COLOR', async () => {
  const plain = await runCli(['inspect', 'Bad/Name'], { NO_COLOR: '1' });
  assert.match(plain.stderr, /^regctl: /);
  assert.doesNotMatch(plain.stderr, /\x1b\[/);
});

test('plain lines give the plan\'s figure, then count finished blobs against it', async () => {
  const out = capture(false);
  const p = await progressReporter(out.stream, { quiet: false, color: false });
  p.onProgress!({ kind: 'plan', image: 'x', blobs: [{ digest: A, size: 2000 }, { digest: B, size: 10 }] });
  p.onProgress!({ kind: 'blob', image: 'x', digest: B, size: 10, result: 'exists' });
  p.onProgress!({ kind: 'blob', image: 'x', digest: A, size: 2000, result: 'pushed' });
  p.stop();
  assert.equal(out.text(), 'x: 2 blobs, 2.01kB\nbbbbbbbbbbbb: exists (10B) [1/2]\naaaaaaaaaaaa: done (2kB) [2/2]\n');
});

test('a terminal: the overall line counts every planned blob from its first draw', async () => {
  const out = capture(true);
  const p = await progressReporter(out.stream, { quiet: false, color: false });
  p.onProgress!({ kind: 'plan', image: 'x', blobs: [{ digest: A, size: 2000 }, { digest: B, size: 10 }] });
  p.onProgress!({ kind: 'bytes', image: 'x', digest: A, size: 2000, done: 1000 });
  p.stop();
  const totals = [...out.text().matchAll(/(\d+)\/(\d+) blobs/g)].map((m) => m[2]);
  assert.ok(totals.length >= 2, out.text());
  assert.deepEqual(new Set(totals), new Set(['2']), 'the denominator never grows');
  assert.match(out.text(), /^aaaaaaaaaaaa: waiting \(2kB\)\nbbbbbbbbbbbb: waiting \(10B\)\n0\/2 blobs/);
});

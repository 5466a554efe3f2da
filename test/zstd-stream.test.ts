// zstd both ways as streams where Node has no zstd in node:zlib (Node < 22.15): the encoder writes frames of 1 MiB of
// content (archive/zstd.ts, @mongodb-js/zstd a frame at a time), the decoder cuts a stream into frames
// (archive/zstd-frames.ts). Judged by the zstd command (zstd -t, zstd -dc, zstd -lv for the frame count), by regctl's
// own export and get-file, by the installed package, and by the peak RSS of a 512 MiB layer (/usr/bin/time -v).
// umoci (0.4.7, the Debian package) cannot judge: it refuses zstd layers ("blob is not correct mediatype:
// application/vnd.oci.image.layer.v1.tar+zstd"); zstd support came in a later umoci.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { zstdCompress, zstdDecompress } from '../src/archive/zstd.js';
import { installed, runInstalled } from './helpers/installed.js';
import { makeHome, runCli, spawnCapture, which, type Home } from './helpers/run-cli.js';

const execFileAsync = promisify(execFile);
const MiB = 1024 * 1024;
const BIN = resolve(import.meta.dirname, '../bin/regctl.cjs');
const skipNoZstd = which('zstd') ? false : 'the zstd command is not installed';
// Node ≥ 22.15 encodes with its own streaming encoder (one frame): the frame counts below are this encoder's
const nodeHasZstd = typeof (zlib as { createZstdCompress?: unknown }).createZstdCompress === 'function';
const skipFrames = skipNoZstd || (nodeHasZstd ? 'this Node encodes zstd with node:zlib (one frame)' : false);

/** Content zstd compresses about as well as a layer: fresh random bytes, text, and runs of zeros, mixed. */
function layerLike(size: number): Buffer {
  const out = Buffer.alloc(size);
  const text = Buffer.from('#!/bin/sh\nexec /usr/bin/app --config /etc/app.conf "$@"\n'.repeat(2000));
  for (let at = 0, i = 0; at < size; i++) {
    const part = i % 3 === 0 ? randomBytes(200_000) : i % 3 === 1 ? text : Buffer.alloc(150_000);
    at += part.copy(out, at);
  }
  return out;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** `data` as a stream arriving in pieces of `piece` bytes. */
function pieces(data: Buffer, piece: number): Readable {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += piece) parts.push(data.subarray(at, at + piece));
  return Readable.from(parts, { objectMode: false });
}

/** How many frames `zstd -lv` counts in a file. */
async function frameCount(file: string): Promise<number> {
  const { stdout } = await execFileAsync('zstd', ['-lv', file]);
  return Number(/# Zstandard Frames: (\d+)/.exec(stdout)?.[1]);
}

/** `zstd ARGS` fed `input` on stdin, its stdout. */
function zstdCli(args: string[], input: Buffer): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise(Buffer.concat(out)) : reject(new Error(`zstd ${args.join(' ')}: exit ${code}`))));
    child.stdin.end(input);
  });
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('zstd streams: frames on encode, frame by frame on decode', () => {
  let T: string;
  let home: Home;

  before(async () => {
    T = await mkdtemp(join(tmpdir(), 'regctl-zstd-'));
    home = await makeHome();
  });
  after(async () => {
    await home?.cleanup();
    if (T) await rm(T, { recursive: true, force: true });
  });

  test('the encoder writes a frame per MiB that zstd reads back byte for byte, the same bytes however the input arrives', { skip: skipFrames }, async () => {
    const data = layerLike(5.5 * MiB);
    const whole = await collect(await zstdCompress(pieces(data, data.length)));
    const small = await collect(await zstdCompress(pieces(data, 7777)));
    assert.ok(whole.equals(small), 'the same content in other pieces gives other bytes');
    assert.ok(whole.length < data.length * 0.8, `${whole.length} bytes of zstd for ${data.length} of content`);
    const file = join(T, 'enc.zst');
    await writeFile(file, whole);
    assert.equal(await frameCount(file), 6, 'one frame per MiB of content (5.5 MiB)');
    await execFileAsync('zstd', ['-t', '-q', file]);
    const { stdout } = await execFileAsync('zstd', ['-dc', file], { encoding: 'buffer', maxBuffer: 64 * MiB });
    assert.ok(stdout.equals(data), 'zstd -dc gives back the content');
    assert.ok((await collect(await zstdDecompress(pieces(whole, 4096)))).equals(data), 'regctl reads its own frames back');
    // empty content is one empty frame, which zstd reads
    const empty = join(T, 'empty.zst');
    await writeFile(empty, await collect(await zstdCompress(Readable.from([], { objectMode: false }))));
    assert.equal((await execFileAsync('zstd', ['-dc', empty], { encoding: 'buffer' })).stdout.length, 0);
  });

  // a guard for the frame splitter: the whole-buffer decoder before it read these too
  test('the decoder reads what the zstd command writes (one frame from a pipe, content sizes and checksums, skippable frames) and rejects a cut stream', { skip: skipNoZstd }, async () => {
    const a = layerLike(3 * MiB);
    const b = Buffer.concat([Buffer.alloc(2 * MiB), Buffer.from('end\n')]); // RLE blocks
    const fromPipe = await zstdCli(['-3', '-c', '--no-content-size'], a);
    const withSizes = await zstdCli(['-19', '-c', '--check', '--content-size'], b);
    const emptyFrame = await zstdCli(['-c'], Buffer.alloc(0));
    const skippable = Buffer.concat([Buffer.from([0x53, 0x2a, 0x4d, 0x18]), Buffer.from([5, 0, 0, 0]), Buffer.from('skip!')]);
    const stream = Buffer.concat([fromPipe, skippable, emptyFrame, withSizes]);
    for (const piece of [1000, 61, stream.length]) {
      const out = await collect(await zstdDecompress(pieces(stream, piece)));
      assert.ok(out.equals(Buffer.concat([a, b])), `decoded in pieces of ${piece}: ${out.length} bytes`);
    }
    await assert.rejects(async () => collect(await zstdDecompress(pieces(fromPipe.subarray(0, fromPipe.length - 10), 65536))), { code: 'ERR_ARCHIVE_CORRUPT' });
    await assert.rejects(async () => collect(await zstdDecompress(pieces(Buffer.from('not zstd at all'), 4))), { code: 'ERR_ARCHIVE_CORRUPT' });
  });

  test('append --compress zstd writes a layer of frames; zstd, export and get-file read it back', { skip: skipFrames }, async () => {
    const src = join(T, 'src');
    await mkdir(join(src, 'opt'), { recursive: true });
    const big = layerLike(4 * MiB);
    await writeFile(join(src, 'opt', 'big.bin'), big);
    await writeFile(join(src, 'opt', 'note.txt'), 'note\n');
    const layout = join(T, 'layout');
    const env = home.env;
    const r = await runCli(['append', '-q', 'scratch', '--platform', 'linux/amd64', '-t', `oci:${layout}:1`, '--dir', `${src}:/`, '--compress', 'zstd', '--manifest-format', 'oci'], env);
    assert.equal(r.code, 0, r.stderr);
    const blobs = join(layout, 'blobs', 'sha256');
    const manifest = JSON.parse(await readFile(join(blobs, r.stdout.trim().slice('sha256:'.length)), 'utf8')) as { config: { digest: string }; layers: Array<{ mediaType: string; digest: string }> };
    const layer = manifest.layers[0]!;
    assert.equal(layer.mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');
    const blob = join(blobs, layer.digest.slice('sha256:'.length));
    assert.ok((await frameCount(blob)) >= 4, 'a 4 MiB layer is written as a frame per MiB');
    const config = JSON.parse(await readFile(join(blobs, manifest.config.digest.slice('sha256:'.length)), 'utf8')) as { rootfs: { diff_ids: string[] } };
    const { stdout: tar } = await execFileAsync('zstd', ['-dc', blob], { encoding: 'buffer', maxBuffer: 64 * MiB });
    assert.equal(sha256(tar), config.rootfs.diff_ids[0], 'zstd -dc gives the tar of the diff_id');
    const exported = join(T, 'export.tar');
    assert.equal((await runCli(['export', `oci:${layout}:1`, '-o', exported], env)).code, 0);
    const listed = (await execFileAsync('tar', ['-tf', exported])).stdout.split('\n').filter((e) => e && !e.endsWith('/')).sort();
    assert.deepEqual(listed, ['opt/big.bin', 'opt/note.txt']);
    const got = join(T, 'big.out');
    const g = await runCli(['get-file', `oci:${layout}:1`, '/opt/big.bin', '-o', got], env);
    assert.equal(g.code, 0, g.stderr);
    assert.ok((await readFile(got)).equals(big), 'get-file gives the file back');
  });

  test('a 512 MiB layer is compressed and read back by regctl with a peak RSS well under its size', { skip: skipFrames || (which('/usr/bin/time') ? false : '/usr/bin/time is not installed'), timeout: 600_000 }, async () => {
    const dir = join(T, 'mem');
    await mkdir(join(dir, 'src'), { recursive: true });
    const file = join(dir, 'src', 'big.bin');
    const hash = createHash('sha256');
    const out = createWriteStream(file);
    for (let i = 0; i < 512; i++) {
      const block = layerLike(MiB);
      hash.update(block);
      if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r, j) => out.end((err?: Error | null) => (err ? j(err) : r())));
    const want = hash.digest('hex');
    /** regctl ARGS as a child under /usr/bin/time -v: its exit code and peak RSS in MiB. */
    const measured = async (args: string[]) => {
      const r = await spawnCapture('/usr/bin/time', ['-v', process.execPath, BIN, ...args], home.env);
      const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
      assert.equal(r.code, 0, r.stderr);
      return kb / 1024;
    };
    const layout = join(dir, 'layout');
    const appendRss = await measured(['append', '-q', 'scratch', '--platform', 'linux/amd64', '-t', `oci:${layout}:1`, '--dir', `${join(dir, 'src')}:/`, '--compress', 'zstd', '--manifest-format', 'oci']);
    await rm(file);
    const got = join(dir, 'got.bin');
    const getRss = await measured(['get-file', `oci:${layout}:1`, '/big.bin', '-o', got]);
    const gotHash = createHash('sha256');
    await pipeline(createReadStream(got), async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) gotHash.update(c);
    });
    assert.equal(gotHash.digest('hex'), want, 'get-file gives the 512 MiB file back');
    // the whole layer held in memory (the content, then its compressed form) needs more than 512 MiB
    assert.ok(appendRss < 256, `append --compress zstd of 512 MiB peaked at ${appendRss.toFixed(0)} MiB RSS`);
    assert.ok(getRss < 256, `get-file from a 512 MiB zstd layer peaked at ${getRss.toFixed(0)} MiB RSS`);
    await rm(dir, { recursive: true, force: true });
  });

  test('the installed regctl: append --compress zstd writes frames; export reads them', { skip: skipFrames, timeout: 300_000 }, async () => {
    await installed();
    const src = join(T, 'inst-src');
    await mkdir(src, { recursive: true });
    const big = layerLike(3 * MiB);
    await writeFile(join(src, 'data.bin'), big);
    const layout = join(T, 'inst-layout');
    const r = await runInstalled(['append', '-q', 'scratch', '--platform', 'linux/amd64', '-t', `oci:${layout}:1`, '--dir', `${src}:/srv`, '--compress', 'zstd', '--manifest-format', 'oci'], home.env);
    assert.equal(r.code, 0, r.stderr);
    const blobs = join(layout, 'blobs', 'sha256');
    const manifest = JSON.parse(await readFile(join(blobs, r.stdout.trim().slice('sha256:'.length)), 'utf8')) as { layers: Array<{ digest: string }> };
    assert.ok((await frameCount(join(blobs, manifest.layers[0]!.digest.slice('sha256:'.length)))) >= 3, 'the installed bundle writes a frame per MiB');
    const exported = join(T, 'inst-export');
    await mkdir(exported);
    const e = await runInstalled(['export', `oci:${layout}:1`, '-o', join(exported, 'fs.tar')], home.env);
    assert.equal(e.code, 0, e.stderr);
    await execFileAsync('tar', ['-xf', join(exported, 'fs.tar'), '-C', exported]);
    assert.deepEqual((await readdir(join(exported, 'srv'))).sort(), ['data.bin']);
    assert.ok((await readFile(join(exported, 'srv', 'data.bin'))).equals(big), 'export gives the file back');
  });
});

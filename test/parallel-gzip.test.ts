// gzip layers compressed on every core into ONE standard gzip stream (pigz's method), judged by GNU gzip (-t, -dc),
// Python's zlib and gzip modules (/usr/bin/python3), umoci (Go's compress/gzip) and containerd's `ctr import`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, lstat, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { createParallelGzip, GZIP_BLOCK_SIZE, type ParallelGzipOptions } from '../src/archive/parallel-gzip.js';
import { writeLayer } from '../src/image/layer-writer.js';
import { startContainerd } from './helpers/containerd.js';
import { makeHome, runCli, spawnCapture, which, type Home } from './helpers/run-cli.js';

const execFileAsync = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const missing = ['gzip', 'umoci', 'containerd', 'ctr', PYTHON].filter((b) => !which(b));
const skip = missing.length ? `not installed: ${missing.join(', ')}` : false;
const BLOCK = GZIP_BLOCK_SIZE;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A deterministic pseudo-random generator (xorshift32), for chunk sizes and test data that are the same every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** `n` bytes of text-like data (words from a small vocabulary): compressible, with matches across block boundaries. */
function textLike(n: number, seed = 7): Buffer {
  const words = ['layer', 'image', 'registry', 'manifest', 'digest', 'gzip', 'deflate', 'tar', '\n', 'the', 'of', 'blob', '{', '}', '0', '1'];
  const next = prng(seed);
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const w = words[next() % words.length]! + (next() % 5 === 0 ? `${next() % 1000}` : '') + ' ';
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

/** `data` cut into pieces of the sizes `sizes` gives, in turn. */
function chunked(data: Buffer, sizes: () => number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length;) {
    const n = Math.max(1, sizes());
    out.push(data.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** The parallel compressor's output for `chunks` fed in that order. */
async function compress(chunks: Buffer[], opts?: ParallelGzipOptions): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(chunks), createParallelGzip(opts), new Writable({
    write(c: Buffer, _e, cb) {
      out.push(c);
      cb();
    },
  }));
  return Buffer.concat(out);
}

/**
 * What Python makes of a gzip file: how many members it holds (zlib's gzip decoder reads exactly one member and
 * leaves what follows as unused_data), whether the first ended properly, and the sha256 of the content read by
 * zlib and by the gzip module.
 */
const PY_JUDGE = `
import gzip, hashlib, json, sys, zlib
data = open(sys.argv[1], 'rb').read()
members, rest, first = 0, data, None
while rest:
    d = zlib.decompressobj(31)
    out = d.decompress(rest) + d.flush()
    if not d.eof:
        break
    members += 1
    if first is None:
        first = out
    rest = d.unused_data
print(json.dumps({'members': members, 'complete': not rest, 'first': hashlib.sha256(first or b'').hexdigest(),
                  'gzip': hashlib.sha256(gzip.decompress(data)).hexdigest()}))
`;

interface Verdict { members: number; complete: boolean; first: string; gzip: string }

describe('parallel gzip: one standard gzip stream compressed on every core', { skip }, () => {
  let T: string;
  let home: Home;
  before(async () => {
    T = await mkdtemp(join(tmpdir(), 'regctl-pgzip-'));
    home = await makeHome();
  });
  after(async () => {
    await home.cleanup();
    await rm(T, { recursive: true, force: true });
  });

  let n = 0;
  /** Asserts that `gz` is one gzip member that gzip -t accepts and gzip -dc and Python read as `want`. */
  const judge = async (gz: Buffer, want: Buffer, what: string) => {
    const file = join(T, `judge-${n++}.gz`);
    await writeFile(file, gz);
    const t = await spawnCapture('gzip', ['-t', file], {});
    assert.equal(t.code, 0, `${what}: gzip -t: ${t.stderr}`);
    const dc = await spawnCapture('gzip', ['-dc', file], {});
    assert.equal(dc.code, 0, `${what}: gzip -dc: ${dc.stderr}`);
    assert.ok(dc.stdoutBytes.equals(want), `${what}: gzip -dc gives the input back byte for byte`);
    const py = JSON.parse((await execFileAsync(PYTHON, ['-c', PY_JUDGE, file])).stdout) as Verdict;
    assert.deepEqual(py, { members: 1, complete: true, first: sha256(want), gzip: sha256(want) }, `${what}: Python reads one member with the input`);
  };

  test('the judge tells one member from several: a naive concatenation of gzip members passes gzip -t but not it', async () => {
    const a = textLike(1000, 1);
    const b = textLike(1000, 2);
    const joined = Buffer.concat([gzipSync(a), gzipSync(b)]);
    const file = join(T, 'naive.gz');
    await writeFile(file, joined);
    assert.equal((await spawnCapture('gzip', ['-t', file], {})).code, 0, 'gzip -t accepts several members');
    const py = JSON.parse((await execFileAsync(PYTHON, ['-c', PY_JUDGE, file])).stdout) as Verdict;
    assert.equal(py.members, 2);
    await assert.rejects(judge(joined, Buffer.concat([a, b]), 'naive'), /one member/);
  });

  test('empty input, one byte, less than a block, exactly N blocks, N blocks and a byte, incompressible data: one member every reader reads', async () => {
    const cases: Array<[string, Buffer]> = [
      ['empty', Buffer.alloc(0)],
      ['one byte', Buffer.from('x')],
      ['less than a block', textLike(BLOCK - 1000)],
      ['exactly one block', textLike(BLOCK, 3)],
      ['exactly 3 blocks', textLike(3 * BLOCK, 4)],
      ['3 blocks and a byte', textLike(3 * BLOCK + 1, 5)],
      ['incompressible (random) 5 blocks and a bit', randomBytes(5 * BLOCK + 4321)],
      ['text, random, zeros', Buffer.concat([textLike(BLOCK + 17, 6), randomBytes(BLOCK), Buffer.alloc(2 * BLOCK + 99)])],
    ];
    for (const [what, data] of cases) {
      const gz = await compress(chunked(data, () => 65536));
      await judge(gz, data, what);
      if (data.length > BLOCK) assert.ok(gz.length > 18, what);
    }
  });

  test('each block is deflated with the 32 KiB before it as dictionary: it compresses as well as gzip -6', async () => {
    // every block starts with a repeat of the 24 KiB that ended the block before, otherwise random: only a compressor
    // that sees across block boundaries can shrink it
    const blocks: Buffer[] = [];
    let prev = randomBytes(BLOCK);
    blocks.push(prev);
    for (let i = 0; i < 6; i++) {
      prev = Buffer.concat([prev.subarray(BLOCK - 24 * 1024), randomBytes(BLOCK - 24 * 1024)]);
      blocks.push(prev);
    }
    const data = Buffer.concat(blocks);
    const ours = await compress(chunked(data, () => 100_000));
    await judge(ours, data, 'boundary repeats');
    const file = join(T, 'boundary.bin');
    await writeFile(file, data);
    const gnu = (await spawnCapture('gzip', ['-6', '-c', file], {})).stdoutBytes;
    assert.ok(ours.length < data.length - 6 * 20 * 1024, `the repeats shrink (${ours.length} of ${data.length})`);
    assert.ok(Math.abs(ours.length - gnu.length) < gnu.length / 100, `within 1% of gzip -6 (${ours.length} vs ${gnu.length})`);
  });

  test('deterministic: the same bytes whatever the chunk sizes and however many blocks are in flight', async () => {
    const data = Buffer.concat([textLike(2 * BLOCK + 5000, 8), randomBytes(BLOCK / 2), textLike(BLOCK + 333, 9)]);
    const reference = await compress([data]);
    await judge(reference, data, 'reference');
    const rnd = prng(42);
    const variants: Array<[string, Buffer[], ParallelGzipOptions?]> = [
      ['64 KiB chunks', chunked(data, () => 65536)],
      ['odd sizes 7', chunked(data, () => 7)],
      ['odd sizes 4093', chunked(data, () => 4093)],
      ['odd sizes 65537', chunked(data, () => 65537)],
      ['larger than a block', chunked(data, () => BLOCK + 12345)],
      ['random sizes', chunked(data, () => rnd() % 200_000)],
      ['one block in flight', chunked(data, () => 65536), { inFlight: 1 }],
      ['eight blocks in flight', chunked(data, () => 65536), { inFlight: 8 }],
    ];
    for (const [what, chunks, opts] of variants) {
      assert.ok((await compress(chunks, opts)).equals(reference), `${what}: the same bytes`);
    }
    // input smaller than a block is a single deflate stream: the bytes zlib's own gzip gives (layers made before keep
    // their digests)
    const small = textLike(BLOCK - 1, 10);
    assert.ok((await compress(chunked(small, () => 1000))).equals(gzipSync(small)), 'below one block: what createGzip writes');
  });

  test('memory stays bounded: with nobody reading its output it stops taking input after a few blocks', async () => {
    let fed = 0;
    const data = textLike(4 * BLOCK, 11);
    const source = new Readable({
      read() {
        fed += data.length;
        this.push(fed > 256 * 1024 * 1024 ? null : data);
      },
    });
    const gz = createParallelGzip();
    source.pipe(gz); // gz's output is never read
    let last = -1;
    for (let stable = 0; stable < 5; stable = fed === last ? stable + 1 : 0) {
      last = fed;
      await sleep(100);
    }
    assert.ok(fed < 32 * 1024 * 1024, `it took ${fed} bytes of input without giving any output away`);
    source.destroy();
    gz.destroy();
  });

  test('cancellation: writeLayer stops and fails with the signal\'s reason', async () => {
    const ac = new AbortController();
    let fed = 0;
    const chunk = textLike(BLOCK, 12);
    const endless = new Readable({
      read() {
        fed += chunk.length;
        if (fed === 8 * BLOCK) ac.abort(new Error('stop here'));
        this.push(chunk);
      },
    });
    const dir = join(T, 'cancel');
    await mkdir(dir);
    await assert.rejects(writeLayer(endless, dir, 'gzip', ac.signal), /stop here/);
    assert.ok(endless.destroyed);
  });

  /** A directory of several blocks: text, a binary, random bytes, a symlink; and the OCI layout `append` makes of it. */
  const appended = async (name: string) => {
    const src = join(T, 'src');
    await mkdir(join(src, 'etc', 'conf.d'), { recursive: true }).catch(() => undefined);
    if (!(await readdir(join(src, 'etc', 'conf.d'))).length) {
      for (let i = 0; i < 40; i++) await writeFile(join(src, 'etc', 'conf.d', `part-${i}.conf`), textLike(3000 + i * 997, 100 + i));
      await writeFile(join(src, 'big.txt'), textLike(3 * BLOCK + 777, 13));
      await writeFile(join(src, 'random.bin'), randomBytes(2 * BLOCK + 5));
      await writeFile(join(src, 'gzip-binary'), await readFile(which('gzip')));
      await symlink('big.txt', join(src, 'link'));
    }
    const layout = join(T, name);
    const r = await runCli(['append', '-q', 'scratch', '-t', `oci:${layout}:x`, '--dir', `${src}:/`, '--manifest-format', 'oci', '--reproducible'], home.env);
    assert.equal(r.code, 0, r.stderr);
    const blob = (d: string) => readFile(join(layout, 'blobs', 'sha256', d.slice('sha256:'.length)));
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
    const manifest = JSON.parse((await blob(index.manifests[0].digest)).toString());
    const config = JSON.parse((await blob(manifest.config.digest)).toString());
    return { src, layout, digest: r.stdout.trim(), layer: await blob(manifest.layers[0].digest), diffId: config.rootfs.diff_ids[0] as string };
  };

  /** `path → kind, content digest` of a tree. */
  const treeOf = async (root: string) => {
    const out: string[] = [];
    const walk = async (dir: string, rel: string) => {
      for (const name of (await readdir(dir)).sort()) {
        const path = join(dir, name);
        const st = await lstat(path);
        if (st.isDirectory()) await walk(path, `${rel}${name}/`);
        else if (st.isSymbolicLink()) out.push(`${rel}${name} -> ${await readlink(path)}`);
        else out.push(`${rel}${name} ${sha256(await readFile(path))}`);
      }
    };
    await walk(root, '');
    return out;
  };

  test('append --dir writes the layer with it: one member, diff_id of its content, the same digest twice; umoci unpacks it', async () => {
    const first = await appended('layout-1');
    const second = await appended('layout-2');
    assert.equal(second.digest, first.digest, '--reproducible: the same image twice');
    assert.ok(second.layer.equals(first.layer));
    const gzFile = join(T, 'layer.gz');
    await writeFile(gzFile, first.layer);
    const tar = (await spawnCapture('gzip', ['-dc', gzFile], {})).stdoutBytes;
    assert.ok(tar.length > 3 * BLOCK, 'the layer spans several blocks');
    await judge(first.layer, tar, 'appended layer');
    assert.equal(first.diffId, `sha256:${sha256(tar)}`, 'the config\'s diff_id is the digest of what gzip -dc gives');
    assert.ok(first.layer.equals(await compress([tar])), 'the layer is the parallel compressor\'s output for its tar');
    assert.ok(!first.layer.equals(gzipSync(tar)), 'not one zlib stream: the blocks were compressed apart');
    const bundle = join(T, 'bundle');
    await execFileAsync('umoci', ['unpack', '--rootless', '--image', `${first.layout}:x`, bundle]);
    assert.deepEqual(await treeOf(join(bundle, 'rootfs')), await treeOf(first.src), 'umoci unpacks the directory as it was');
  });

  test('containerd\'s ctr import unpacks an image with such a layer (it checks the diff_id on the way)', async () => {
    const img = await appended('layout-ctr');
    const archive = join(T, 'ctr.tar');
    const r = await runCli(['copy', '-q', `oci:${img.layout}:x`, `oci-archive:${archive}:x`], home.env);
    assert.equal(r.code, 0, r.stderr);
    const ctrd = await startContainerd();
    try {
      const imp = await ctrd.ctr(['images', 'import', '--snapshotter', 'native', '--index-name', 'regctl/pgzip:1', archive]);
      assert.equal(imp.code, 0, imp.stderr);
      assert.match(imp.stdout, /unpacking .*done/);
      const snaps = await ctrd.ctr(['snapshots', '--snapshotter', 'native', 'ls']);
      assert.equal(snaps.code, 0, snaps.stderr);
      // one layer: its chain ID is its diff_id
      assert.match(snaps.stdout, new RegExp(`^${img.diffId}\\s+Committed`, 'm'), snaps.stdout);
      const root = join(ctrd.dir, 'root', 'io.containerd.snapshotter.v1.native', 'snapshots');
      const [only] = await readdir(root);
      assert.deepEqual(await treeOf(join(root, only!)), await treeOf(img.src), 'containerd unpacked the directory as it was');
    } finally {
      await ctrd.stop();
    }
  });
});

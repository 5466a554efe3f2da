// The layer compressor alone (issue 24 §3): regctl's parallel gzip against Node's single-stream zlib (what regctl
// used before) and GNU gzip -6, on the same buffer, rounds interleaved, each under /usr/bin/time. Not part of
// `npm run bench`; run it by hand:
//   node --import tsx bench/parallel-gzip.ts [--input FILE] [--size MB] [--rounds N]
// Without --input it builds --size MB (default 200) from files under /usr/share (two thirds) and random bytes (one
// third), like a layer of an application directory. Besides wall and CPU it prints, for regctl's compressor, how
// many cores the process used in 50 ms windows: on a loaded machine the wall time says little about parallelism.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import { createParallelGzip } from '../src/archive/parallel-gzip.js';

/** In the child: compress `file` with `mode` in 64 KiB chunks, print output size and the cores-used histogram. */
async function child(mode: string, file: string): Promise<void> {
  const data = readFileSync(file);
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 65536) chunks.push(data.subarray(i, i + 65536));
  const runtime = () => {
    let ns = 0;
    for (const t of readdirSync('/proc/self/task')) {
      try {
        ns += Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended
      }
    }
    return ns;
  };
  const hist = new Map<number, number>();
  let last = runtime();
  let lastT = process.hrtime.bigint();
  const timer = setInterval(() => {
    const r = runtime();
    const t = process.hrtime.bigint();
    const bucket = Math.min(2, Math.floor(((r - last) / Number(t - lastT)) * 10) / 10);
    hist.set(bucket, (hist.get(bucket) ?? 0) + 1);
    last = r;
    lastT = t;
  }, 50);
  let out = 0;
  const started = performance.now();
  await pipeline(Readable.from(chunks), mode === 'zlib' ? createGzip() : createParallelGzip(), new Writable({
    write(c: Buffer, _e, cb) {
      out += c.length;
      cb();
    },
  }));
  clearInterval(timer);
  const windows = [...hist].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k.toFixed(1)}:${v}`).join(' ');
  console.log(JSON.stringify({ out, ms: Math.round(performance.now() - started), windows }));
}

function buildInput(file: string, size: number): void {
  const parts: Buffer[] = [];
  let have = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (have >= (size * 2) / 3) return;
      const path = join(dir, name);
      try {
        const st = statSync(path);
        if (st.isDirectory()) walk(path);
        else if (st.isFile()) {
          const b = readFileSync(path);
          parts.push(b);
          have += b.length;
        }
      } catch {
        // unreadable: skip
      }
    }
  };
  walk('/usr/share');
  parts.push(randomBytes(Math.max(0, size - have)));
  writeFileSync(file, Buffer.concat(parts).subarray(0, size));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { input: { type: 'string' }, size: { type: 'string', default: '200' }, rounds: { type: 'string', default: '3' }, child: { type: 'string' } }, allowPositionals: true });
  if (values.child) return child(values.child, values.input!);
  const dir = mkdtempSync(join(tmpdir(), 'regctl-pgzip-bench-'));
  try {
    const input = values.input ?? join(dir, 'input');
    if (!values.input) buildInput(input, Number(values.size) * 1024 * 1024);
    console.log(`input ${statSync(input).size} bytes; ${process.env.UV_THREADPOOL_SIZE ?? 4} threadpool threads`);
    const F = '%e %U %S %M';
    for (let round = 1; round <= Number(values.rounds); round++) {
      for (const mode of ['parallel', 'zlib', 'gzip -6']) {
        const load = loadavg()[0]!.toFixed(1);
        const args = mode === 'gzip -6'
          ? ['-f', F, 'sh', '-c', `gzip -6 -c "$1" | wc -c`, 'sh', input]
          : ['-f', F, process.execPath, '--import', 'tsx', import.meta.filename, '--child', mode, '--input', input];
        const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8' });
        const [wall, user, sys, rss] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number, number];
        const detail = mode === 'gzip -6' ? `out ${r.stdout.trim()}` : (() => {
          const j = JSON.parse(r.stdout) as { out: number; windows: string };
          return `out ${j.out}, cores used per 50 ms window ${j.windows}`;
        })();
        console.log(`round ${round} load ${load} ${mode.padEnd(8)} wall ${wall.toFixed(2)} s, CPU ${(user + sys).toFixed(2)} s, max RSS ${Math.round(rss / 1024)} MiB, ${detail}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

// Runs commands side by side: warm-up, then interleaved rounds (A B A B …), each run timed by wall clock with its
// peak RSS read from GNU time; a failed run stops the benchmark with its output.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Command {
  label: string;
  argv: string[];
  env?: Record<string, string>;
}

export interface Sample {
  ms: number;
  rssKiB: number;
  /** CPU time, user + system (GNU time's 10 ms resolution). */
  cpuMs: number;
}

export interface Contender {
  label: string;
  /** The command for run `i` (-1 is the warm-up); a fresh destination per run comes from here. */
  command(run: number): Command;
  /** Called before each run of this contender (e.g. to clear a cache). */
  before?(run: number): Promise<void>;
  /** Called after each run (e.g. to delete what it wrote). */
  after?(run: number): Promise<void>;
}

export interface Stats {
  label: string;
  samples: Sample[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  peakRssKiB: number;
  cpuMedianMs: number;
  /** The mean of the CPU times: finer than their median when runs differ by less than GNU time's 10 ms. */
  cpuMeanMs: number;
}

export async function runOnce(cmd: Command): Promise<Sample> {
  const dir = await mkdtemp(join(tmpdir(), 'regctl-bench-time-'));
  const timeFile = join(dir, 'time');
  try {
    const started = process.hrtime.bigint();
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, ...cmd.argv], {
        env: { ...process.env, ...cmd.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (code !== 0) throw new Error(`${cmd.label} failed (exit ${code}): ${cmd.argv.join(' ')}\n${output.slice(-2000)}`);
    const [rss, user, sys] = (await readFile(timeFile, 'utf8')).trim().split('\n').pop()!.split(' ').map(Number);
    return { ms, rssKiB: rss!, cpuMs: (user! + sys!) * 1000 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export function stats(label: string, samples: Sample[]): Stats {
  const ms = samples.map((s) => s.ms);
  return {
    label, samples, medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms),
    peakRssKiB: Math.max(...samples.map((s) => s.rssKiB)),
    cpuMedianMs: median(samples.map((s) => s.cpuMs)),
    cpuMeanMs: samples.reduce((sum, s) => sum + s.cpuMs, 0) / samples.length,
  };
}

/**
 * One warm-up of each contender (unless warmup is false), then `runs` interleaved rounds; each round starts with the
 * next contender (A B C, B C A, C A B, …), so no tool always runs first, right after another's cleanup.
 */
export async function compare(contenders: Contender[], runs: number, warmup = true): Promise<Stats[]> {
  const samples: Sample[][] = contenders.map(() => []);
  const one = async (c: Contender, run: number): Promise<Sample> => {
    await c.before?.(run);
    try {
      return await runOnce(c.command(run));
    } finally {
      await c.after?.(run);
    }
  };
  if (warmup) for (const c of contenders) await one(c, -1);
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + run) % contenders.length;
      samples[i]!.push(await one(contenders[i]!, run));
    }
  }
  return contenders.map((c, i) => stats(c.label, samples[i]!));
}

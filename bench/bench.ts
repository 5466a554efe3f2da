// regctl vs skopeo, side by side on two loopback registries. `npm run bench` (bench/run.sh) installs what it needs
// and runs this; `--tiny` shrinks every image and run count so the test suite can prove the scripts still work.
//   node --import tsx bench/bench.ts [--tiny] [--out FILE] [--cache DIR] [--runs N] [--only SUBSTRING]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRegistry, stopAll, type RegistryHandle } from '../test/helpers/registry.js';
import { installed } from '../test/helpers/installed.js';
import { seedImage, seedManyTags } from '../test/helpers/seed.js';
import { ensureImage, type ImageSpec } from './images.js';
import { installedContenders, installedTable, INSTALLED_SCENARIO } from './installed.js';
import { countsCell, latencyScenarios, latencyWanted, startLatencyBed, stopLatencyBed } from './latency.js';
import { compare } from './measure.js';
import { latencyTable, report, scenarioTable, verdict, type ScaleResult, type ScenarioResult } from './report.js';
import { seedSync, syncScenarios, type SyncSpec } from './sync.js';
import { clearSkopeoCache, copyScenario, regctl, scenarios, skopeo, toolEnv, wipe, type Env, type Scenario } from './scenarios.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 2 ** 20;
const PLATFORMS = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
];

interface Config {
  name: string;
  big: ImageSpec;
  many: ImageSpec;
  multi: ImageSpec;
  /** The image of the short latency scenarios. */
  small: ImageSpec;
  /** Repositories of the latency bench's digest loop. */
  loop: number;
  /** Extra images for the growth table (big is the middle one). */
  scale: ImageSpec[];
  tags: number[];
  runs: number;
  scaleRuns: number;
  hyperfineRuns: number;
  /** Rounds of the installed package's digest beside the checkout's (CPU times differ by a few ms). */
  installedRuns: number;
  sync: SyncSpec;
}

const FULL: Config = {
  name: 'full',
  big: { name: 'big', layers: 8, layerBytes: 128 * MiB },
  many: { name: 'many', layers: 100, layerBytes: 100 * 1024 },
  multi: { name: 'multi', layers: 3, layerBytes: 4 * MiB, platforms: PLATFORMS },
  small: { name: 'small', layers: 3, layerBytes: 256 * 1024 },
  loop: 20,
  scale: [{ name: 'scale256m', layers: 2, layerBytes: 128 * MiB }, { name: 'scale2g', layers: 16, layerBytes: 128 * MiB }],
  tags: [500, 5000],
  runs: 5,
  scaleRuns: 3,
  hyperfineRuns: 30,
  installedRuns: 30,
  sync: { repos: 3, tags: 20, baseBytes: 4 * MiB, repoBytes: 1 * MiB, tagBytes: 64 * 1024 },
};

const TINY: Config = {
  name: 'tiny',
  big: { name: 'big', layers: 2, layerBytes: 256 * 1024 },
  many: { name: 'many', layers: 5, layerBytes: 4 * 1024 },
  multi: { name: 'multi', layers: 1, layerBytes: 16 * 1024, platforms: PLATFORMS },
  small: { name: 'small', layers: 1, layerBytes: 16 * 1024 },
  loop: 2,
  scale: [{ name: 'scale2g', layers: 4, layerBytes: 256 * 1024 }],
  tags: [20],
  runs: 1,
  scaleRuns: 1,
  hyperfineRuns: 2,
  installedRuns: 2,
  sync: { repos: 2, tags: 3, baseBytes: 16 * 1024, repoBytes: 4 * 1024, tagBytes: 1024 },
};

const imageBytes = (spec: ImageSpec): number => spec.layers * spec.layerBytes * (spec.platforms?.length ?? 1);
const size = (bytes: number): string => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`);
const log = (msg: string): void => { process.stderr.write(`bench: ${msg}\n`); };

function version(cmd: string, args: string[]): string {
  const out = spawnSync(cmd, args, { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim().split('\n')[0]!.replace(/^.*?version /i, '') : 'not found';
}

async function seed(reg: RegistryHandle, layout: string, spec: ImageSpec): Promise<void> {
  execFileSync('skopeo', ['copy', '-q', '--all', '--dest-tls-verify=false', `oci:${layout}:${spec.name}`, `docker://${reg.host}/${spec.name}:1`], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** hyperfine's own runs of the startup-bound commands, as a cross-check of the interleaved numbers. */
function hyperfine(env: Env, runs: number): string | undefined {
  if (spawnSync('hyperfine', ['--version']).status !== 0) return undefined;
  const big = `${env.a.host}/big:1`;
  const quote = (argv: string[]): string => argv.map((a) => (/^[\w./:@=-]+$/.test(a) ? a : `'${a}'`)).join(' ');
  const commands = [
    [process.execPath, '-e', '0'],
    regctl(env, () => ['digest', big])(0).argv,
    skopeo(env, () => ['inspect', '--tls-verify=false', '--no-tags', '--format', '{{.Digest}}', `docker://${big}`])(0).argv,
  ];
  const file = join(env.scratch, 'hyperfine.md');
  const out = spawnSync('hyperfine', ['-N', '--warmup', '3', '--runs', String(runs), '--style', 'none', '--export-markdown', file, ...commands.map(quote)], {
    encoding: 'utf8', env: { ...process.env, ...toolEnv(env) },
  });
  if (out.status !== 0) throw new Error(`hyperfine failed: ${out.stderr}`);
  return readFileSync(file, 'utf8').trim();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tiny: { type: 'boolean', default: false },
      out: { type: 'string' },
      cache: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const config = values.tiny ? TINY : FULL;
  const runs = values.runs ? Number(values.runs) : config.runs;
  const out = values.out ?? join(ROOT, 'bench', 'results', 'latest.md');
  const cache = values.cache ?? join(ROOT, 'bench', '.cache');
  const started = Date.now();
  const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
  const loadAtStart = load();

  log(`generating images (${config.name}) in ${cache}`);
  const layouts = new Map<string, string>();
  for (const spec of [config.big, config.many, config.multi, config.small, ...config.scale]) layouts.set(spec.name, await ensureImage(cache, spec));
  log(`images ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const work = await mkdtemp(join(tmpdir(), 'regctl-bench-'));
  try {
    const [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    const env: Env = { regctl: [join(ROOT, 'bin', 'regctl.cjs')], home: join(work, 'home'), scratch: join(work, 'scratch'), a, b };
    await mkdir(join(env.home, 'run'), { recursive: true, mode: 0o700 });
    await mkdir(env.scratch, { recursive: true });
    const seedWarm = async (): Promise<void> => {
      await clearSkopeoCache(env);
      execFileSync('skopeo', ['copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${a.host}/big:1`, `docker://${b.host}/warm:1`]);
    };
    // `--only` a latency or sync scenario needs none of registry A's images (seeding them takes minutes)
    const selected = (list: Scenario[]) => list.filter((s) => !values.only || s.name.includes(values.only));
    const copies = selected(scenarios(env, seedWarm));
    if (copies.length || !values.only) {
      for (const spec of [config.big, config.many, config.multi, ...config.scale]) await seed(a, layouts.get(spec.name)!, spec);
      log(`registry A seeded after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    let syncFile = '';
    const seedSyncOnce = async (): Promise<void> => {
      syncFile ||= await seedSync(env, config.sync);
    };
    const loopback = [...copies, ...selected(syncScenarios(env, config.sync, () => syncFile, seedSyncOnce))];

    const results: ScenarioResult[] = [];
    for (const scenario of loopback) {
      log(`${scenario.name} …`);
      await scenario.setup?.();
      const stats = await compare(scenario.contenders, runs);
      const result = { scenario, stats };
      results.push(result);
      await wipe(b);
      log(`${scenario.name}: regctl ${stats[0]!.medianMs.toFixed(0)} ms, skopeo ${stats[1]!.medianMs.toFixed(0)} ms${verdict(result).met ? '' : ' (target missed)'}`);
    }

    let installedMd: string | undefined;
    if (!values.only || INSTALLED_SCENARIO.includes(values.only)) {
      log(`${INSTALLED_SCENARIO}: npm pack, npm install -g --prefix …`);
      const { bin } = await installed();
      await seedImage({ url: a.url }, 'installed/app', '1');
      const stats = await compare(installedContenders(env, bin, `${a.host}/installed/app:1`), Math.max(runs, config.installedRuns));
      installedMd = installedTable(stats);
      log(`${INSTALLED_SCENARIO}: CPU checkout ${stats[0]!.cpuMeanMs.toFixed(1)} ms, installed ${stats[1]!.cpuMeanMs.toFixed(1)} ms`);
    }

    let latency: string | undefined;
    if (latencyWanted(values.only)) {
      log('latency test bed (RTT 40 ms, token auth, TLS) …');
      const bed = await startLatencyBed(env, layouts, ['small', 'many'], config.loop);
      const latencyResults: ScenarioResult[] = [];
      try {
        for (const scenario of latencyScenarios(env, bed)) {
          if (values.only && !scenario.name.includes(values.only)) continue;
          log(`${scenario.name} …`);
          await scenario.setup?.();
          const stats = await compare(scenario.contenders, runs);
          latencyResults.push({ scenario, stats });
          log(`${scenario.name}: regctl ${stats[0]!.medianMs.toFixed(0)} ms (${countsCell(bed, scenario.name, 'regctl')}), `
            + `skopeo ${stats[1]!.medianMs.toFixed(0)} ms (${countsCell(bed, scenario.name, 'skopeo')})`);
        }
      } finally {
        await stopLatencyBed(bed);
      }
      latency = latencyTable(latencyResults, (name, label) => countsCell(bed, name, label));
    }

    const scale: ScaleResult[] = [];
    const tags: ScaleResult[] = [];
    if (!values.only) {
      const specs = [...config.scale, config.big].sort((x, y) => imageBytes(x) - imageBytes(y));
      for (const spec of specs) {
        log(`growth: cold copy of ${spec.name} …`);
        const copy = copyScenario(env, 'growth', spec.name, b, { kind: 'ratio', max: 1 }, { big: false });
        scale.push({ name: `${size(imageBytes(spec))} (${spec.layers} layers)`, bytes: imageBytes(spec), stats: await compare(copy.contenders, config.scaleRuns, false) });
      }
      for (const n of config.tags) {
        log(`growth: ${n} tags …`);
        await seedManyTags({ url: a.url }, `tags${n}`, n);
        const stats = await compare([
          { label: 'regctl', command: regctl(env, () => ['tags', `${a.host}/tags${n}`]) },
          { label: 'skopeo', command: skopeo(env, () => ['list-tags', '--tls-verify=false', `docker://${a.host}/tags${n}`]) },
        ], runs);
        tags.push({ name: `${n} tags`, bytes: n, stats });
      }
    }
    const cross = values.only ? undefined : hyperfine(env, config.hyperfineRuns);

    const machine = {
      date: new Date().toISOString().slice(0, 10),
      cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
      versions: {
        regctl: version(process.execPath, [join(ROOT, 'bin', 'regctl.cjs'), '--version']),
        node: process.version,
        skopeo: version('skopeo', ['--version']),
        'docker-registry': version('docker-registry', ['--version']).split(' ').pop()!,
        hyperfine: version('hyperfine', ['--version']).replace(/^hyperfine /, ''),
      },
      load: `${loadAtStart} at the start, ${load()} at the end`,
      config: `${config.name} (big ${config.big.layers} × ${size(config.big.layerBytes)}, many ${config.many.layers} × ${size(config.many.layerBytes)}, `
        + `multi ${config.multi.platforms!.length} platforms × ${config.multi.layers} × ${size(config.multi.layerBytes)})`,
    };
    const markdown = report(machine, results, scale, tags, cross, runs, latency, installedMd);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, markdown);
    if (!values.tiny && !values.out && !values.only) await updateReadme(machine.date, `${scenarioTable(results)}\n\nAt 40 ms RTT (token auth over TLS):\n\n${latency}`);
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; results in ${out}`);
    process.stdout.write(markdown);
  } finally {
    await stopAll();
    await rm(work, { recursive: true, force: true });
  }
}

/** Replaces the table between README's bench markers. */
async function updateReadme(date: string, table: string): Promise<void> {
  const path = join(ROOT, 'README.md');
  const text = await readFile(path, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return log('README.md has no bench markers; not updated');
  await writeFile(path, `${text.slice(0, i + start.length)}\nMeasured ${date} (bench/results/latest.md has the details):\n\n${table}\n${text.slice(j)}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

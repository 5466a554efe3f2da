// Turns measurements into the markdown of bench/results/latest.md and README's performance section.
import type { Stats } from './measure.js';
import type { Scenario } from './scenarios.js';

export interface ScenarioResult {
  scenario: Scenario;
  stats: Stats[];
}

export interface ScaleResult {
  name: string;
  bytes: number;
  stats: Stats[];
}

export interface Machine {
  date: string;
  cpus: string;
  versions: Record<string, string>;
  config: string;
  /** Load averages (1, 5, 15 min) at the start and at the end: other work on the machine skews every number. */
  load: string;
}

const ms = (x: number): string => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const cell = (s: Stats): string => `${ms(s.medianMs)} (${ms(s.minMs)}–${ms(s.maxMs)})`;
const byLabel = (stats: Stats[], label: string): Stats => stats.find((s) => s.label === label)!;

export interface Verdict {
  text: string;
  met: boolean;
}

export function verdict(r: ScenarioResult): Verdict {
  const regctl = byLabel(r.stats, 'regctl');
  const skopeo = byLabel(r.stats, 'skopeo');
  const t = r.scenario.target;
  if (t.kind === 'ratio') {
    const ratio = regctl.medianMs / skopeo.medianMs;
    return { text: `≤ ${t.max}×`, met: ratio <= t.max };
  }
  const node = byLabel(r.stats, 'node -e 0');
  const limit = node.medianMs + t.plusMs;
  return { text: `≤ node -e 0 + ${t.plusMs} ms = ${ms(limit)}`, met: regctl.medianMs <= limit };
}

/** The peak RSS target of the big scenarios (1 GiB copies, pull, save). */
const BIG_RSS_MIB = 72;

/** For a scenario run beside `node -e 0`: its time, and regctl's CPU time (user + sys) over node's. */
function baseline(r: ScenarioResult): string {
  const node = r.stats.find((s) => s.label === 'node -e 0');
  if (!node) return '';
  const regctl = byLabel(r.stats, 'regctl');
  return ` (node -e 0: ${ms(node.medianMs)}; regctl CPU ${ms(regctl.cpuMedianMs)}, node -e 0 + ${ms(regctl.cpuMedianMs - node.cpuMedianMs)})`;
}

export function scenarioTable(results: ScenarioResult[]): string {
  const lines = [
    '| scenario | regctl median (min–max) | skopeo median (min–max) | ratio | peak RSS regctl / skopeo | target | met |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const regctl = byLabel(r.stats, 'regctl');
    const skopeo = byLabel(r.stats, 'skopeo');
    const v = verdict(r);
    const target = `${v.text}${baseline(r)}`;
    lines.push(`| ${r.scenario.name} (\`${r.scenario.regctlCommand}\` vs \`${r.scenario.skopeoCommand}\`) | ${cell(regctl)} | ${cell(skopeo)} | `
      + `${(regctl.medianMs / skopeo.medianMs).toFixed(2)}× | ${mib(regctl.peakRssKiB)} / ${mib(skopeo.peakRssKiB)} | ${target} | ${v.met ? 'yes' : '**no**'} |`);
  }
  const bigRss = Math.max(...results.filter((r) => r.scenario.big).map((r) => byLabel(r.stats, 'regctl').peakRssKiB));
  if (Number.isFinite(bigRss)) {
    lines.push(`| peak RSS of regctl on any big scenario | ${mib(bigRss)} | | | | ≤ ${BIG_RSS_MIB} MiB | ${bigRss <= BIG_RSS_MIB * 1024 ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

/** The latency scenarios, with each tool's connections and round trips per run (medians, from the proxies). */
export function latencyTable(results: ScenarioResult[], counts: (scenario: string, label: string) => string): string {
  const lines = [
    '| scenario | regctl median (min–max) | skopeo median (min–max) | ratio | connections / round trips, regctl | skopeo | target | met |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const regctl = byLabel(r.stats, 'regctl');
    const skopeo = byLabel(r.stats, 'skopeo');
    const v = verdict(r);
    lines.push(`| ${r.scenario.name} (\`${r.scenario.regctlCommand}\` vs \`${r.scenario.skopeoCommand}\`) | ${cell(regctl)} | ${cell(skopeo)} | `
      + `${(regctl.medianMs / skopeo.medianMs).toFixed(2)}× | ${counts(r.scenario.name, 'regctl')} | ${counts(r.scenario.name, 'skopeo')} | ${v.text}${baseline(r)} | ${v.met ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

export function scaleTable(title: string, results: ScaleResult[], unit: 'size' | 'tags'): string {
  const lines = [
    `| ${title} | regctl median (min–max) | ${unit === 'size' ? 'regctl MiB/s | ' : ''}regctl peak RSS | skopeo median (min–max) | skopeo peak RSS |`,
    `|---|---|${unit === 'size' ? '---|' : ''}---|---|---|`,
  ];
  for (const r of results) {
    const regctl = byLabel(r.stats, 'regctl');
    const skopeo = byLabel(r.stats, 'skopeo');
    const rate = unit === 'size' ? `${(r.bytes / 2 ** 20 / (regctl.medianMs / 1000)).toFixed(0)} | ` : '';
    lines.push(`| ${r.name} | ${cell(regctl)} | ${rate}${mib(regctl.peakRssKiB)} | ${cell(skopeo)} | ${mib(skopeo.peakRssKiB)} |`);
  }
  return lines.join('\n');
}

export function report(machine: Machine, results: ScenarioResult[], scale: ScaleResult[], tags: ScaleResult[], hyperfine: string | undefined, runs: number, latency?: string, installed?: string): string {
  const versions = Object.entries(machine.versions).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `# regctl vs skopeo — ${machine.date}`,
    '',
    `Machine: ${machine.cpus}, load average ${machine.load}. Versions: ${versions}. Configuration: ${machine.config}.`,
    `Two docker-registry servers on 127.0.0.1 (http). Each scenario: one warm-up of each command, then ${runs} interleaved`,
    'rounds (regctl, skopeo[, node -e 0], each round starting with the next tool), a fresh destination per run, skopeo\'s blob-info',
    'cache deleted before each of its runs. Times are wall clock; peak RSS is GNU time\'s maximum resident set size; CPU is',
    'user + system time (GNU time, 10 ms resolution), shown over `node -e 0`\'s for the short scenarios run beside it.',
    '',
    scenarioTable(results),
    '',
    ...(latency ? ['## Over a network with 40 ms round trips', '',
      'Two token-auth registries and their token server, over TLS (test CA), each behind bench/latency-proxy.ts: every chunk',
      'held 20 ms each way, a new connection\'s first bytes one more RTT (the TCP handshake). Both tools log in as the same user.',
      'regctl keeps pings and tokens between runs (~/.cache/regctl), so after the warm-up a run uses what the previous one',
      'learned, as a user\'s second command does within a token\'s lifetime (300 s here); the "nothing remembered" row runs it',
      'with --no-cache. Counts are per run, summed over the three proxies.', '', latency, ''] : []),
    ...(installed ? ['## The installed package', '',
      '`npm pack`, `npm install -g --prefix` of the tarball, and that prefix\'s `regctl digest` interleaved with the checkout\'s',
      '`bin/regctl.cjs` (the same bundle and code caches) and `node -e 0`; CPU is user + system, its mean over the runs.', '', installed, ''] : []),
    '## How time and memory grow',
    '',
    scaleTable('cold copy A → B', scale, 'size'),
    '',
    scaleTable('list tags (`regctl tags` vs `skopeo list-tags`)', tags, 'tags'),
    ...(hyperfine ? ['', '## Start-up cross-check (hyperfine)', '', hyperfine] : []),
    '',
  ].join('\n');
}

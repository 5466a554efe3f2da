// regctl as users run it: the package packed and installed with `npm install -g --prefix` (test/helpers/installed.ts),
// its `regctl` beside the checkout's bin/regctl.cjs, on the same digest. Both run the same launcher and bundle; the
// installed one must use its code caches as the checkout does (they were refused once installed: npm sets every
// file's mtime, which the caches were keyed on), so its CPU time stays within TARGET_MS of the checkout's.
import type { Contender, Stats } from './measure.js';
import { nodeBaseline, regctl, type Env } from './scenarios.js';

export const INSTALLED_SCENARIO = 'installed regctl: digest of a tag';
const TARGET_MS = 10;
const CHECKOUT = 'checkout bin/regctl.cjs';
const INSTALLED = 'installed regctl';

export function installedContenders(env: Env, installedBin: string, image: string): Contender[] {
  const installed = { ...env, regctl: [installedBin] };
  return [
    { label: CHECKOUT, command: regctl(env, () => ['digest', image]) },
    { label: INSTALLED, command: regctl(installed, () => ['digest', image]) },
    nodeBaseline(env),
  ];
}

const ms = (x: number): string => `${x.toFixed(1)} ms`;

/** The table of bench/results/latest.md: wall time and CPU (mean, and median) of each, and the target. */
export function installedTable(stats: Stats[]): string {
  const get = (label: string): Stats => stats.find((s) => s.label === label)!;
  const lines = [
    '| command | median (min–max) | CPU mean (median) | target | met |',
    '|---|---|---|---|---|',
  ];
  const limit = get(CHECKOUT).cpuMeanMs + TARGET_MS;
  for (const s of stats) {
    const target = s.label === INSTALLED ? `CPU ≤ checkout + ${TARGET_MS} ms = ${ms(limit)}` : '';
    const met = s.label === INSTALLED ? (s.cpuMeanMs <= limit ? 'yes' : '**no**') : '';
    lines.push(`| ${s.label} | ${ms(s.medianMs)} (${ms(s.minMs)}–${ms(s.maxMs)}) | ${ms(s.cpuMeanMs)} (${ms(s.cpuMedianMs)}) | ${target} | ${met} |`);
  }
  return lines.join('\n');
}

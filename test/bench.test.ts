import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { spawnCapture } from './helpers/run-cli.js';

// CI does not run the benchmark; this runs every scenario of it in its tiny configuration so the scripts don't rot.
test('the benchmark runs end to end in its tiny configuration and reports every scenario', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'regctl-bench-test-'));
  try {
    const out = join(dir, 'latest.md');
    const bench = resolve(import.meta.dirname, '../bench/bench.ts');
    const res = await spawnCapture(process.execPath, ['--import', 'tsx', bench, '--tiny', '--out', out, '--cache', join(dir, 'cache')], process.env);
    assert.equal(res.code, 0, res.stderr);
    const md = await readFile(out, 'utf8');
    for (const scenario of ['cold copy, registry A → registry B', 'of the same registry', 'warm copy', 'cold copy, many', 'multi-platform',
      'pull into the local store', 'save to a tarball', 'digest of a tag', 'regctl --version', 'peak RSS of regctl',
      'RTT 40 ms: digest of a tag', 'nothing remembered', 'RTT 40 ms: inspect', 'RTT 40 ms: warm copy', 'RTT 40 ms: cold copy, many',
      'a loop of 2 digests', '2 digests of different repositories in one call', 'sync of', 'against a shell loop']) {
      assert.ok(md.includes(scenario), `no row for "${scenario}" in\n${md}`);
    }
    // Every scenario row has a measured ratio, the growth tables have their rows, hyperfine's cross-check ran.
    assert.equal(md.match(/\| \d+\.\d\d× \|/g)?.length, 18, md);
    // The latency rows carry each tool's connections / round trips, counted by the proxies.
    assert.equal(md.match(/× \| \d+ \/ \d+ \| \d+ \/ \d+ \|/g)?.length, 7, md);
    assert.match(md, /\| 20 tags \| [\d.]+ m?s /);
    // The installed package's digest beside the checkout's launcher, with its CPU target.
    assert.match(md, /^\| installed regctl \| [\d.]+ ms .* \| CPU ≤ checkout \+ 10 ms = [\d.]+ ms \| (yes|\*\*no\*\*) \|$/m);
    // Short scenarios run beside node -e 0 and report regctl's CPU over it; the load average is noted.
    assert.match(md, /node -e 0: [\d.]+ m?s; regctl CPU [\d.]+ m?s, node -e 0 \+ -?[\d.]+ m?s/);
    assert.match(md, /load average [\d.]+ [\d.]+ [\d.]+ at the start/);
    assert.match(md, /Machine: \d+ × .*skopeo 1\.\d+/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

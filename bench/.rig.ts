// Perf rig (not committed): two registries, big image seeded in A; writes hosts to /tmp/perfrig/hosts.json and waits.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { startRegistry } from '/work/wt/perf/test/helpers/registry.js';
import { ensureImage } from '/work/wt/perf/bench/images.js';
const MiB = 2 ** 20;
const big = { name: 'big', layers: 8, layerBytes: 128 * MiB };
const layout = await ensureImage('/tmp/perfrig/cache', big);
const [a, b] = await Promise.all([startRegistry(), startRegistry()]);
execFileSync('skopeo', ['copy', '-q', '--all', '--dest-tls-verify=false', `oci:${layout}:big`, `docker://${a.host}/big:1`], { stdio: 'inherit' });
writeFileSync('/tmp/perfrig/hosts.json', JSON.stringify({ a: a.host, b: b.host, bdata: b.dataDir, adata: a.dataDir }));
console.log('ready', a.host, b.host);
setInterval(() => {}, 1 << 30);

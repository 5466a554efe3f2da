import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, stopAll } from '../test/helpers/registry.js';
import { seedSync } from './sync.js';
import { wipe } from './scenarios.js';
const MiB = 2 ** 20;
const work = await mkdtemp(join(tmpdir(), 'zz-'));
const [a, b] = await Promise.all([startRegistry(), startRegistry()]);
const env = { regctl: ['/work/wt/sync/bin/regctl.js'], home: join(work, 'home'), scratch: join(work, 's'), a, b } as any;
await mkdir(env.scratch, { recursive: true });
const file = await seedSync(env, { repos: 3, tags: 20, baseBytes: 4 * MiB, repoBytes: MiB, tagBytes: 64 * 1024 });
const variants = process.argv.slice(2);
for (let round = 0; round < 3; round++) for (const v of variants) {
  const extra = v ? v.split(' ') : [];
  const t = Date.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '/work/wt/sync/bin/regctl.js', 'sync', '-q', '--config', file, `${b.host}/m`, ...extra], { encoding: 'utf8' });
  console.log(`[${v}] ${Date.now() - t} ms cpu ${r.stderr.trim().split('\n').pop()} ${r.status}`);
  await wipe(b);
}
if (process.env.SKOPEO) { const t = Date.now(); execFileSync('skopeo', ['sync', '--src', 'yaml', '--dest', 'docker', '--dest-tls-verify=false', file, `${b.host}/s`], { stdio: 'ignore' }); console.log(`skopeo ${Date.now() - t}`); }
await stopAll();

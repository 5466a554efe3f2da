// The sync scenarios: 3 repositories × 20 tags sharing layers, mirrored from registry A into a fresh path of B by
// `regctl sync --config` and by `skopeo sync --src yaml` reading the same file, and by a shell loop of `skopeo copy`.
import { createCipheriv, createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seedImage, tarLayer } from '../test/helpers/seed.js';
import { clearSkopeoCache, regctl, skopeo, wipe, type Env, type Scenario } from './scenarios.js';

export interface SyncSpec {
  repos: number;
  tags: number;
  /** Layer shared by every image, by the tags of one repository, and each tag's own. */
  baseBytes: number;
  repoBytes: number;
  tagBytes: number;
}

const repoName = (i: number) => `sync/app${i}`;
const tagName = (i: number) => `1.${i}.0`;

/** Deterministic incompressible bytes (AES-256-CTR keystream of a key derived from the label). */
function bytes(label: string, size: number): Buffer {
  const key = createHash('sha256').update(`regctl-bench-sync/${label}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

/** Pushes the repositories into A and writes the sync file both tools read. Returns the file's path. */
export async function seedSync(env: Env, spec: SyncSpec): Promise<string> {
  const base = tarLayer({ 'base.bin': bytes('base', spec.baseBytes) });
  for (let r = 0; r < spec.repos; r++) {
    const shared = tarLayer({ 'repo.bin': bytes(`repo${r}`, spec.repoBytes) });
    for (let t = 0; t < spec.tags; t += 5) {
      await Promise.all(Array.from({ length: Math.min(5, spec.tags - t) }, (_, k) => {
        const tag = tagName(t + k);
        const own = tarLayer({ 'tag.bin': bytes(`repo${r}:${tag}`, spec.tagBytes) });
        return seedImage({ url: env.a.url }, repoName(r), tag, { layers: [base, shared, own] });
      }));
    }
  }
  const file = join(env.scratch, 'sync.yaml');
  const images = Array.from({ length: spec.repos }, (_, r) => `    ${repoName(r)}: []\n`).join('');
  await writeFile(file, `${env.a.host}:\n  tls-verify: false\n  images:\n${images}`);
  return file;
}

const run = (r: number) => (r < 0 ? 'warmup' : `r${r}`);

/** `setup` seeds A (once) and writes the file `file()` then names. */
export function syncScenarios(env: Env, spec: SyncSpec, file: () => string, setup: () => Promise<void>): Scenario[] {
  const dest = (tool: string, r: number) => `${env.b.host}/${tool}-${run(r)}`;
  const regctlSync = {
    label: 'regctl',
    command: regctl(env, (r) => ['sync', '-q', '--config', file(), dest('regctl', r)]),
    after: () => wipe(env.b),
  };
  const shape = `${spec.repos} repositories × ${spec.tags} tags, shared layers`;
  const loop = Array.from({ length: spec.repos }, (_, r) => Array.from({ length: spec.tags }, (_, t) =>
    `skopeo copy -q --src-tls-verify=false --dest-tls-verify=false docker://${env.a.host}/${repoName(r)}:${tagName(t)} docker://$1/app${r}:${tagName(t)}`)).flat();
  return [
    {
      name: `sync of ${shape}`, big: false, setup,
      regctlCommand: 'regctl sync --config', skopeoCommand: 'skopeo sync --src yaml',
      target: { kind: 'ratio', max: 0.5 },
      contenders: [
        regctlSync,
        {
          label: 'skopeo',
          command: skopeo(env, (r) => ['sync', '--src', 'yaml', '--dest', 'docker', '--dest-tls-verify=false', file(), dest('skopeo', r)]),
          before: () => clearSkopeoCache(env), after: () => wipe(env.b),
        },
      ],
    },
    {
      name: `sync of ${shape}, against a shell loop`, big: false, setup,
      regctlCommand: 'regctl sync --config', skopeoCommand: 'for … skopeo copy',
      target: { kind: 'ratio', max: 0.5 },
      contenders: [
        regctlSync,
        {
          label: 'skopeo',
          command: (r) => ({ ...skopeo(env, () => [])(r), argv: ['sh', '-ec', loop.join('\n'), 'sh', dest('loop', r)] }),
          before: () => clearSkopeoCache(env), after: () => wipe(env.b),
        },
      ],
    },
  ];
}

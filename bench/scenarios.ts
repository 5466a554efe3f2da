// The scenarios of the benchmark: each pairs a regctl command with the skopeo command doing the same work from the
// same starting state, and names its target.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryHandle } from '../test/helpers/registry.js';
import type { Command, Contender } from './measure.js';

export interface Env {
  /** How to run regctl: bin/regctl.cjs itself, through its shebang, as an installed `regctl` runs. */
  regctl: string[];
  /** HOME, REGCTL_STORE etc. for both tools: an empty home, so no credentials or configs leak in. */
  home: string;
  /** Scratch space for pull/save outputs. */
  scratch: string;
  a: RegistryHandle;
  b: RegistryHandle;
}

/** `ratio`: regctl median ≤ max × skopeo median; `startup`: regctl median ≤ node -e 0 median + ms. */
export type Target = { kind: 'ratio'; max: number } | { kind: 'startup'; plusMs: number };

export interface Scenario {
  name: string;
  regctlCommand: string;
  skopeoCommand: string;
  target: Target;
  /** Whether its regctl peak RSS counts toward the "big scenario" memory target. */
  big: boolean;
  setup?(): Promise<void>;
  contenders: Contender[];
}

const TLS_OFF = ['--src-tls-verify=false', '--dest-tls-verify=false'];

export function toolEnv(env: Env, extra: Record<string, string> = {}): Record<string, string> {
  return { HOME: env.home, XDG_DATA_HOME: join(env.home, 'data'), XDG_CONFIG_HOME: join(env.home, 'config'), XDG_RUNTIME_DIR: join(env.home, 'run'), ...extra };
}

/** skopeo keeps a blob-info cache that would let later runs skip work; every skopeo run starts without it. */
export async function clearSkopeoCache(env: Env): Promise<void> {
  for (const path of ['/var/lib/containers/cache/blob-info-cache-v1.boltdb', join(env.home, 'data', 'containers', 'cache', 'blob-info-cache-v1.boltdb')]) {
    if (existsSync(path)) await rm(path, { force: true });
  }
}

/** Removes a repository from a registry's storage (blobs stay: they are shared with the source images). */
export const dropRepo = (reg: RegistryHandle, repo: string): Promise<void> =>
  rm(join(reg.dataDir, 'docker', 'registry', 'v2', 'repositories', repo), { recursive: true, force: true });

/** Empties a registry: repositories and blobs. */
export const wipe = (reg: RegistryHandle): Promise<void> => rm(join(reg.dataDir, 'docker'), { recursive: true, force: true });

const runName = (run: number): string => (run < 0 ? 'warmup' : `r${run}`);

export function regctl(env: Env, args: (run: number) => string[], extra?: (run: number) => Record<string, string>): (run: number) => Command {
  return (run) => ({ label: 'regctl', argv: [...env.regctl, ...args(run)], env: toolEnv(env, extra?.(run)) });
}

export function skopeo(env: Env, args: (run: number) => string[]): (run: number) => Command {
  return (run) => ({ label: 'skopeo', argv: ['skopeo', ...args(run)], env: toolEnv(env) });
}

export function nodeBaseline(env: Env): Contender {
  return { label: 'node -e 0', command: () => ({ label: 'node -e 0', argv: [process.execPath, '-e', '0'], env: toolEnv(env) }) };
}

/** Cold copy of `image` from A to a fresh repository of `dst`, emptied after every run. */
export function copyScenario(env: Env, name: string, image: string, dst: RegistryHandle, target: Target, opts: { big: boolean; all?: boolean; baseline?: boolean }): Scenario {
  const sameRegistry = dst === env.a;
  const cleanup = (repo: string) => (sameRegistry ? dropRepo(dst, repo) : wipe(dst));
  const src = `${env.a.host}/${image}:1`;
  return {
    name, target, big: opts.big,
    regctlCommand: 'regctl copy',
    skopeoCommand: opts.all ? 'skopeo copy --all' : 'skopeo copy',
    contenders: [
      {
        label: 'regctl',
        command: regctl(env, (run) => ['copy', '-q', src, `${dst.host}/${image}-regctl-${runName(run)}:1`]),
        after: (run) => cleanup(`${image}-regctl-${runName(run)}`),
      },
      {
        label: 'skopeo',
        command: skopeo(env, (run) => ['copy', '-q', ...TLS_OFF, ...(opts.all ? ['--all'] : []), `docker://${src}`, `docker://${dst.host}/${image}-skopeo-${runName(run)}:1`]),
        before: () => clearSkopeoCache(env),
        after: (run) => cleanup(`${image}-skopeo-${runName(run)}`),
      },
      ...(opts.baseline ? [nodeBaseline(env)] : []),
    ],
  };
}

export function scenarios(env: Env, seedWarm: () => Promise<void>): Scenario[] {
  const big = `${env.a.host}/big:1`;
  const scratch = (tool: string, run: number) => join(env.scratch, `${tool}-${runName(run)}`);
  const clearScratch = (tool: string) => (run: number) => rm(scratch(tool, run), { recursive: true, force: true });
  return [
    copyScenario(env, 'cold copy, registry A → registry B, big', 'big', env.b, { kind: 'ratio', max: 0.8 }, { big: true }),
    copyScenario(env, 'copy to another repository of the same registry, big', 'big', env.a, { kind: 'startup', plusMs: 50 }, { big: true, baseline: true }),
    {
      name: 'warm copy, destination already complete, big', big: true,
      regctlCommand: 'regctl copy', skopeoCommand: 'skopeo copy',
      target: { kind: 'startup', plusMs: 40 },
      setup: seedWarm,
      contenders: [
        { label: 'regctl', command: regctl(env, () => ['copy', '-q', big, `${env.b.host}/warm:1`]) },
        { label: 'skopeo', command: skopeo(env, () => ['copy', '-q', ...TLS_OFF, `docker://${big}`, `docker://${env.b.host}/warm:1`]), before: () => clearSkopeoCache(env) },
        nodeBaseline(env),
      ],
    },
    copyScenario(env, 'cold copy, many', 'many', env.b, { kind: 'ratio', max: 0.8 }, { big: false }),
    copyScenario(env, 'multi-platform copy, multi', 'multi', env.b, { kind: 'ratio', max: 0.9 }, { big: false, all: true }),
    {
      name: 'pull into the local store vs skopeo to oci:DIR, big', big: true,
      regctlCommand: 'regctl pull', skopeoCommand: 'skopeo copy … oci:',
      target: { kind: 'ratio', max: 0.85 },
      contenders: [
        { label: 'regctl', command: regctl(env, () => ['pull', '-q', big], (run) => ({ REGCTL_STORE: scratch('regctl', run) })), after: clearScratch('regctl') },
        {
          label: 'skopeo', command: skopeo(env, (run) => ['copy', '-q', ...TLS_OFF, `docker://${big}`, `oci:${scratch('skopeo', run)}:big`]),
          before: () => clearSkopeoCache(env), after: clearScratch('skopeo'),
        },
      ],
    },
    {
      name: 'save to a tarball vs skopeo to docker-archive:, big', big: true,
      regctlCommand: 'regctl save', skopeoCommand: 'skopeo copy … docker-archive:',
      target: { kind: 'ratio', max: 0.6 },
      contenders: [
        {
          label: 'regctl',
          command: regctl(env, (run) => ['save', big, '-o', `${scratch('regctl', run)}.tar`], (run) => ({ REGCTL_STORE: scratch('regctl', run) })),
          after: async (run) => { await clearScratch('regctl')(run); await rm(`${scratch('regctl', run)}.tar`, { force: true }); },
        },
        {
          label: 'skopeo',
          command: skopeo(env, (run) => ['copy', '-q', ...TLS_OFF, `docker://${big}`, `docker-archive:${scratch('skopeo', run)}.tar:${big}`]),
          before: () => clearSkopeoCache(env), after: (run) => rm(`${scratch('skopeo', run)}.tar`, { force: true }),
        },
      ],
    },
    {
      name: 'digest of a tag', big: false,
      regctlCommand: 'regctl digest', skopeoCommand: 'skopeo inspect --no-tags --format {{.Digest}}',
      target: { kind: 'startup', plusMs: 25 },
      contenders: [
        { label: 'regctl', command: regctl(env, () => ['digest', big]) },
        { label: 'skopeo', command: skopeo(env, () => ['inspect', '--tls-verify=false', '--no-tags', '--format', '{{.Digest}}', `docker://${big}`]) },
        nodeBaseline(env),
      ],
    },
    {
      name: 'start-up alone', big: false,
      regctlCommand: 'regctl --version', skopeoCommand: 'skopeo --version',
      target: { kind: 'startup', plusMs: 12 },
      contenders: [
        { label: 'regctl', command: regctl(env, () => ['--version']) },
        { label: 'skopeo', command: skopeo(env, () => ['--version']) },
        nodeBaseline(env),
      ],
    },
  ];
}

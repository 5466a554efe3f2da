// The benchmark over a real network's latency: two token-auth registries and their token server, all over TLS with
// the test CA, each behind a latency proxy (latency-proxy.ts) at RTT 40 ms. regctl and skopeo log in as the same user
// (docker config.json) and trust the CA (regctl through certs.d, skopeo through --cert-dir).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRegistry, type RegistryHandle } from '../test/helpers/registry.js';
import { testCA } from '../test/helpers/tls.js';
import { startTokenServer, type TokenServerHandle } from '../test/helpers/token-server.js';
import { startLatencyProxy, type Counts, type LatencyProxy } from './latency-proxy.js';
import type { Contender } from './measure.js';
import { nodeBaseline, regctl, skopeo, wipe, type Env, type Scenario } from './scenarios.js';

// Never execFileSync here: the proxies live in this process, and a blocked event loop stalls every connection.
const run = promisify(execFile);

export const RTT_MS = 40;
const USER = 'alice';
const PASSWORD = 'bench-pw';

export interface LatencyBed {
  token: TokenServerHandle;
  src: RegistryHandle;
  dst: RegistryHandle;
  /** The proxies in front of src, dst and the token server: the hosts the tools are given. */
  proxies: { src: LatencyProxy; dst: LatencyProxy; token: LatencyProxy };
  certDir: string;
  /** How many repositories the digest loop goes through. */
  loop: number;
  /** Connections and round trips of every measured run, per scenario name and tool. */
  counts: Map<string, Map<string, Counts[]>>;
}

export async function startLatencyBed(env: Env, layouts: Map<string, string>, images: string[], loop: number): Promise<LatencyBed> {
  const token = await startTokenServer({
    service: 'bench-registry', issuer: 'bench-issuer', users: { [USER]: PASSWORD }, acl: (user) => (user === USER ? ['*'] : ['pull']), tls: true,
  });
  const tokenProxy = await startLatencyProxy(Number(new URL(token.url).port), RTT_MS);
  const realm = `https://${tokenProxy.host}/token`;
  const [src, dst] = await Promise.all([0, 1].map(() => startRegistry({ auth: 'token', tls: true, token: { ...token, realm } })));
  const proxies = { src: await startLatencyProxy(src!.port, RTT_MS), dst: await startLatencyProxy(dst!.port, RTT_MS), token: tokenProxy };
  const ca = await testCA();
  const auths: Record<string, { auth: string }> = {};
  // Each host trusts what its own certs.d folder holds: the registries and the token realm, which is another host.
  for (const p of [proxies.src, proxies.dst, proxies.token]) {
    const certs = join(env.home, '.config', 'containers', 'certs.d', p.host);
    await mkdir(certs, { recursive: true });
    await copyFile(ca.caCert, join(certs, 'ca.crt'));
    if (p !== proxies.token) auths[p.host] = { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') };
  }
  await mkdir(join(env.home, '.docker'), { recursive: true });
  await writeFile(join(env.home, '.docker', 'config.json'), JSON.stringify({ auths }));
  // Seeded straight into the registry, without the proxy's latency.
  const push = (from: string, to: string) =>
    run('skopeo', ['copy', '-q', '--all', '--src-cert-dir', ca.dir, '--dest-cert-dir', ca.dir, '--dest-creds', `${USER}:${PASSWORD}`, from, `docker://${src!.host}/${to}`]);
  for (const name of images) await push(`oci:${layouts.get(name)!}:${name}`, `lat/${name}:1`);
  for (let i = 0; i < loop; i++) await push(`docker://${src!.host}/lat/small:1`, `lat/r${i}:1`);
  return { token, src: src!, dst: dst!, proxies, certDir: ca.dir, loop, counts: new Map() };
}

/** Resets the proxies' counters before each run and records them after each measured run. */
function counted(bed: LatencyBed, scenario: string, c: Contender): Contender {
  const all = Object.values(bed.proxies);
  return {
    ...c,
    before: async (run) => { await c.before?.(run); all.forEach((p) => p.reset()); },
    after: async (run) => {
      if (run >= 0) {
        const byTool = bed.counts.get(scenario) ?? new Map<string, Counts[]>();
        bed.counts.set(scenario, byTool);
        const sum = all.reduce((s, p) => ({ connections: s.connections + p.counts.connections, roundTrips: s.roundTrips + p.counts.roundTrips }), { connections: 0, roundTrips: 0 });
        byTool.set(c.label, [...(byTool.get(c.label) ?? []), sum]);
      }
      await c.after?.(run);
    },
  };
}

const latencyName = (what: string): string => `RTT ${RTT_MS} ms: ${what}`;

/** Whether `--only TEXT` selects any latency scenario (the test bed is started only then). */
export function latencyWanted(only: string | undefined): boolean {
  const whats = ['digest of a tag', 'digest of a tag, nothing remembered', 'inspect', 'warm copy (destination complete)', 'cold copy, many', 'digests of different repositories', 'in one call'];
  return !only || whats.some((w) => latencyName(w).includes(only));
}

export function latencyScenarios(env: Env, bed: LatencyBed): Scenario[] {
  const s = bed.proxies.src.host;
  const d = bed.proxies.dst.host;
  const cert = ['--cert-dir', bed.certDir];
  const copyCerts = ['--src-cert-dir', bed.certDir, '--dest-cert-dir', bed.certDir];
  const small = `${s}/lat/small:1`;
  const sk = (args: (run: number) => string[]) => skopeo(env, args);
  const inspectDigest = (ref: string) => ['inspect', ...cert, '--no-tags', '--format', '{{.Digest}}', `docker://${ref}`];
  const regctlBin = regctl(env, () => [])(0).argv.join(' ');
  const shell = (label: string, script: string): Contender => ({ label, command: () => ({ label, argv: ['sh', '-c', script], env: regctl(env, () => [])(0).env! }) });
  const skopeoLoop = shell('skopeo', `for i in $(seq 0 ${bed.loop - 1}); do skopeo inspect --cert-dir ${bed.certDir} --no-tags --format '{{.Digest}}' docker://${s}/lat/r$i:1 >/dev/null || exit 1; done`);
  const list: (Omit<Scenario, 'name'> & { what: string })[] = [
    {
      what: 'digest of a tag', regctlCommand: 'regctl digest', skopeoCommand: 'skopeo inspect --no-tags --format {{.Digest}}',
      target: { kind: 'ratio', max: 0.65 }, big: false,
      contenders: [{ label: 'regctl', command: regctl(env, () => ['digest', small]) }, { label: 'skopeo', command: sk(() => inspectDigest(small)) }, nodeBaseline(env)],
    },
    {
      what: 'digest of a tag, nothing remembered', regctlCommand: 'regctl --no-cache digest', skopeoCommand: 'skopeo inspect --no-tags --format {{.Digest}}',
      target: { kind: 'ratio', max: 0.7 }, big: false,
      contenders: [{ label: 'regctl', command: regctl(env, () => ['--no-cache', 'digest', small]) }, { label: 'skopeo', command: sk(() => inspectDigest(small)) }],
    },
    {
      what: 'inspect', regctlCommand: 'regctl inspect', skopeoCommand: 'skopeo inspect --no-tags',
      target: { kind: 'ratio', max: 0.7 }, big: false,
      contenders: [{ label: 'regctl', command: regctl(env, () => ['inspect', small]) }, { label: 'skopeo', command: sk(() => ['inspect', ...cert, '--no-tags', `docker://${small}`]) }, nodeBaseline(env)],
    },
    {
      what: 'warm copy (destination complete)', regctlCommand: 'regctl copy', skopeoCommand: 'skopeo copy',
      target: { kind: 'ratio', max: 0.7 }, big: false,
      setup: async () => { await run('skopeo', ['copy', '-q', ...copyCerts, '--dest-creds', `${USER}:${PASSWORD}`, `docker://${small}`, `docker://${d}/lat/warm:1`]); },
      contenders: [
        { label: 'regctl', command: regctl(env, () => ['copy', '-q', small, `${d}/lat/warm:1`]) },
        { label: 'skopeo', command: sk(() => ['copy', '-q', ...copyCerts, `docker://${small}`, `docker://${d}/lat/warm:1`]) },
      ],
    },
    {
      what: 'cold copy, many', regctlCommand: 'regctl copy', skopeoCommand: 'skopeo copy',
      target: { kind: 'ratio', max: 0.7 }, big: false,
      contenders: [
        { label: 'regctl', command: regctl(env, (run) => ['copy', '-q', `${s}/lat/many:1`, `${d}/lat/many-regctl-${run}:1`]), after: () => wipe(bed.dst) },
        { label: 'skopeo', command: sk((run) => ['copy', '-q', ...copyCerts, `docker://${s}/lat/many:1`, `docker://${d}/lat/many-skopeo-${run}:1`]), after: () => wipe(bed.dst) },
      ],
    },
    {
      what: `a loop of ${bed.loop} digests of different repositories`, regctlCommand: 'regctl digest', skopeoCommand: 'skopeo inspect --no-tags --format {{.Digest}}',
      target: { kind: 'ratio', max: 0.5 }, big: false,
      contenders: [
        shell('regctl', `for i in $(seq 0 ${bed.loop - 1}); do ${regctlBin} digest ${s}/lat/r$i:1 >/dev/null || exit 1; done`),
        skopeoLoop,
      ],
    },
    {
      what: `${bed.loop} digests of different repositories in one call`, regctlCommand: `regctl digest IMAGE×${bed.loop}`,
      skopeoCommand: `a loop of ${bed.loop} skopeo inspect --no-tags --format {{.Digest}}`,
      target: { kind: 'ratio', max: 0.1 }, big: false,
      contenders: [
        { label: 'regctl', command: regctl(env, () => ['digest', ...Array.from({ length: bed.loop }, (_, i) => `${s}/lat/r${i}:1`)]) },
        skopeoLoop,
        nodeBaseline(env),
      ],
    },
  ];
  return list.map(({ what, ...rest }) => {
    const scenarioName = latencyName(what);
    return { ...rest, name: scenarioName, contenders: rest.contenders.map((c) => counted(bed, scenarioName, c)) };
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

/** "connections / round trips" of a tool's runs in a scenario (medians). */
export function countsCell(bed: LatencyBed, scenario: string, label: string): string {
  const runs = bed.counts.get(scenario)?.get(label) ?? [];
  if (!runs.length) return '';
  return `${median(runs.map((r) => r.connections))} / ${median(runs.map((r) => r.roundTrips))}`;
}

export async function stopLatencyBed(bed: LatencyBed): Promise<void> {
  await Promise.all(Object.values(bed.proxies).map((p) => p.stop()));
  await bed.token.stop();
}

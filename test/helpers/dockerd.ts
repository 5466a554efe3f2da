// A real Docker daemon (Debian's docker.io, dockerd 20.10) on a fresh data root under a temp dir, as test-bed.md starts it.
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';
import { spawnCapture, type CliResult } from './run-cli.js';

export interface DockerdHandle {
  /** DOCKER_HOST=unix://… and a PATH, for running `docker`. */
  env: Record<string, string>;
  dir: string;
  /** Runs the docker client (the one shipped with dockerd when present) against this daemon. */
  docker(args: string[], stdin?: string): Promise<CliResult>;
  stop(): Promise<void>;
}

/** The Debian client matches the daemon's API version; a newer client elsewhere on PATH would also work but warns. */
export const DOCKER_CLIENT = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** Starts dockerd on a fresh data root (so `docker load` checks every layer); throws with its log when it can't start. */
export async function startDockerd(): Promise<DockerdHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'regctl-dockerd-'));
  const sock = join(dir, 'docker.sock');
  const args = [
    '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${sock}`, '--storage-driver', 'vfs', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
    '--bridge=none', '--userland-proxy=false',
  ];
  const env = { DOCKER_HOST: `unix://${sock}`, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, DOCKER_CONFIG: join(dir, 'config') };
  const docker = (a: string[], stdin = '') => spawnCapture(DOCKER_CLIENT, a, env, stdin);
  const stop = await startDaemon(dir, 'dockerd', args, async () => (await docker(['info', '--format', '{{.ServerVersion}}'])).code === 0);
  return { env, dir, docker, stop };
}

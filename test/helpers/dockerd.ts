// A real Docker daemon (Debian's docker.io, dockerd 20.10) on a fresh data root under a temp dir, as test-bed.md starts it.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
  const log = openSync(join(dir, 'dockerd.log'), 'w');
  const sock = join(dir, 'docker.sock');
  const args = [
    '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${sock}`, '--storage-driver', 'vfs', '--iptables=false', '--ip6tables=false', '--ip-masq=false',
    '--bridge=none', '--userland-proxy=false',
  ];
  const child: ChildProcess = spawn('dockerd', args, { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: string | undefined;
  child.on('error', (err) => (exited = err.message));
  child.on('exit', (code, signal) => (exited = `dockerd exited (${code ?? signal})`));
  const env = { DOCKER_HOST: `unix://${sock}`, PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, DOCKER_CONFIG: join(dir, 'config') };
  const docker = (a: string[], stdin = '') => spawnCapture(DOCKER_CLIENT, a, env, stdin);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([done, sleep(15_000).then(() => child.kill('SIGKILL'))]);
    }
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited === undefined && (await docker(['info', '--format', '{{.ServerVersion}}'])).code === 0) break;
    if (exited !== undefined || Date.now() > deadline) {
      const text = await readFile(join(dir, 'dockerd.log'), 'utf8').catch(() => '');
      await stop();
      throw new Error(`dockerd did not start: ${exited ?? 'timeout'}\n${text.split('\n').slice(-15).join('\n')}`);
    }
    await sleep(100);
  }
  return { env, dir, docker, stop };
}

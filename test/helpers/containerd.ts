// A real containerd (Debian's, 1.6) with its own root, state and socket under a temp dir, as test-bed.md describes.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnCapture, type CliResult } from './run-cli.js';

export interface ContainerdHandle {
  dir: string;
  /** Runs `ctr` against this daemon, in namespace `regctl-test`. */
  ctr(args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

/** Starts containerd (CRI plugin off, native snapshotter usable) and waits until `ctr version` answers. */
export async function startContainerd(): Promise<ContainerdHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'regctl-ctrd-'));
  const sock = join(dir, 'c.sock');
  const config = join(dir, 'config.toml');
  writeFileSync(config, [
    'version = 2',
    `root = "${join(dir, 'root')}"`,
    `state = "${join(dir, 'state')}"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = "${sock}"`,
    '[ttrpc]',
    `  address = "${sock}.ttrpc"`,
    '',
  ].join('\n'));
  const log = openSync(join(dir, 'containerd.log'), 'w');
  const child: ChildProcess = spawn('containerd', ['--config', config], { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: string | undefined;
  child.on('error', (err) => (exited = err.message));
  child.on('exit', (code, signal) => (exited = `containerd exited (${code ?? signal})`));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  const ctr = (args: string[]) => spawnCapture('ctr', ['--address', sock, '--namespace', 'regctl-test', ...args], env);
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
    if (exited === undefined && (await ctr(['version'])).code === 0) break;
    if (exited !== undefined || Date.now() > deadline) {
      const text = await readFile(join(dir, 'containerd.log'), 'utf8').catch(() => '');
      await stop();
      throw new Error(`containerd did not start: ${exited ?? 'timeout'}\n${text.split('\n').slice(-15).join('\n')}`);
    }
    await sleep(100);
  }
  return { dir, ctr, stop };
}

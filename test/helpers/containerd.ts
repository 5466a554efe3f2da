// A real containerd (Debian's, 1.6) with its own root, state and socket under a temp dir, as test-bed.md describes.
import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';
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
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  const ctr = (args: string[]) => spawnCapture('ctr', ['--address', sock, '--namespace', 'regctl-test', ...args], env);
  const stop = await startDaemon(dir, 'containerd', ['--config', config], async () => (await ctr(['version'])).code === 0);
  return { dir, ctr, stop };
}

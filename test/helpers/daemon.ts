// Starts a real daemon (dockerd, containerd) whose files live in `dir`, and waits until a probe command answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Runs `command args` with its output in `dir/<command>.log` and polls `ready` until it succeeds (30 s at most).
 * Returns the stop function (SIGTERM, SIGKILL after 15 s, then `dir` removed); throws with the log's tail when the
 * daemon exits or never gets ready.
 */
export async function startDaemon(dir: string, command: string, args: string[], ready: () => Promise<boolean>): Promise<() => Promise<void>> {
  const logFile = join(dir, `${command}.log`);
  const log = openSync(logFile, 'w');
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: string | undefined;
  child.on('error', (err) => (exited = err.message));
  child.on('exit', (code, signal) => (exited = `${command} exited (${code ?? signal})`));
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
    if (exited === undefined && (await ready())) return stop;
    if (exited !== undefined || Date.now() > deadline) {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      await stop();
      throw new Error(`${command} did not start: ${exited ?? 'timeout'}\n${text.split('\n').slice(-15).join('\n')}`);
    }
    await sleep(100);
  }
}

import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { run } from '../../src/cli.js';
import { createContext, type OpsContext } from '../../src/index.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export type TestEnv = Record<string, string | undefined>;

/** Runs regctl in-process through the real CLI entry (`run(argv, io)`), capturing stdout and stderr. */
export async function runCli(args: string[], env: TestEnv, stdin = ''): Promise<CliResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await run(args, { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]), env, homedir: env.HOME ?? '/nonexistent', runtime: process });
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes };
}

const BIN = resolve(import.meta.dirname, '../../bin/regctl.cjs');

/** Runs the built `bin/regctl.cjs` as a child process (for exit codes and stack-trace checks). */
export function runBin(args: string[], env: TestEnv, stdin = ''): Promise<CliResult> {
  return spawnCapture(process.execPath, [BIN, ...args], env, stdin);
}

/** The path of a program on PATH, or '' when it is not installed (tests that need it skip). */
export function which(bin: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** Runs any command, feeding `stdin` and capturing its exit code and output. */
export function spawnCapture(cmd: string, args: string[], env: TestEnv, stdin = ''): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.stdin.on('error', () => undefined); // a command that exits without reading its stdin is judged by its exit code
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      resolvePromise({ code: code ?? -1, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
    child.stdin.end(stdin);
  });
}

export interface Home {
  dir: string;
  env: TestEnv;
  dockerConfig: string;
  regctlConfig: string;
  cleanup(): Promise<void>;
}

/** Runs `fn` with a library context that reads its settings from `home` (as the CLI would there), then closes it. */
export async function withContext<T>(home: Home, fn: (ctx: OpsContext) => Promise<T>): Promise<T> {
  const ctx = await createContext({ env: home.env, homedir: home.dir, runtime: process });
  try {
    return await fn(ctx);
  } finally {
    await ctx.transport.close();
  }
}

/**
 * A fresh HOME with DOCKER_CONFIG and REGCTL_CONFIG inside it, and PATH/tool variables from this process,
 * so nothing a test does touches the real user's files.
 */
export async function makeHome(regctlConfig?: object, extraEnv: TestEnv = {}): Promise<Home> {
  const dir = await mkdtemp(join(tmpdir(), 'regctl-home-'));
  const dockerDir = join(dir, '.docker');
  await mkdir(dockerDir, { recursive: true });
  const regctlPath = join(dir, 'regctl-settings.json');
  if (regctlConfig) await writeFile(regctlPath, JSON.stringify(regctlConfig));
  const env: TestEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    DOCKER_CONFIG: dockerDir,
    REGCTL_CONFIG: regctlPath,
    XDG_RUNTIME_DIR: join(dir, 'run'),
    XDG_CONFIG_HOME: join(dir, '.config'),
    NO_COLOR: '1',
    ...extraEnv,
  };
  return {
    dir,
    env,
    dockerConfig: join(dockerDir, 'config.json'),
    regctlConfig: regctlPath,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

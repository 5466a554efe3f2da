/**
 * The `docker-credential-*` helper protocol (docker/docker-credential-helpers `client` package, docker/cli
 * cli/config/credentials/native_store.go):
 *
 *   get    stdin: server URL                               stdout: {"ServerURL","Username","Secret"}
 *   store  stdin: {"ServerURL","Username","Secret"}         stdout: nothing
 *   erase  stdin: server URL
 *   list   stdin: nothing                                   stdout: {"<ServerURL>":"<Username>",…}
 *
 * "Not found" is exit 1 with stdout `credentials not found in native keychain`. docker-credential-pass 0.6.4 instead
 * answers `get` with exit 0 and an empty Username and Secret, and `erase` with exit 1 "… is not in the password
 * store"; both read as not found here. Username `<token>` means Secret is an identity token.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Credential } from './credential.js';
import { ConfigError } from '../errors.js';
import type { Env } from '../util/env.js';

export type HelperAction = 'get' | 'store' | 'erase' | 'list';

export const NOT_FOUND_MESSAGE = 'credentials not found in native keychain';
export const TOKEN_USERNAME = '<token>';
export const HELPER_PREFIX = 'docker-credential-';
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 1 << 20;

export interface HelperOptions {
  /** Kill the helper after this long (default 30 s). */
  timeoutMs?: number;
}

/**
 * Runs `docker-credential-NAME ACTION` with `input` on stdin and the injected env (its PATH finds the helper).
 * Resolves the helper's stdout, or undefined when the helper said "credentials not found".
 * Throws ConfigError when the helper is missing, fails or times out; the message carries the first line of its
 * output with anything that looks like the secret from `input` replaced by `***`.
 */
export async function runHelper(name: string, action: HelperAction, input: string, env: Env, opts: HelperOptions = {}): Promise<string | undefined> {
  const program = helperProgram(name);
  const file = findInPath(program, env);
  if (!file) {
    throw new ConfigError(`credential helper "${program}" not found in PATH`, {
      code: 'ERR_CREDENTIAL_HELPER_NOT_FOUND',
      hint: `install ${program}, or remove "${name}" from credsStore/credHelpers in your docker config.json`,
    });
  }
  const secrets = secretsIn(action, input);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { code, stdout, stderr, timedOut, spawnError } = await exec(file, [action], input, env, timeoutMs);
  const what = describe(program, action, input);
  if (spawnError) {
    throw new ConfigError(`${what}: cannot run ${program}: ${spawnError.code ?? 'spawn error'}`, { code: 'ERR_CREDENTIAL_HELPER', cause: spawnError });
  }
  if (timedOut) {
    throw new ConfigError(`${what}: ${program} did not answer within ${Math.round(timeoutMs / 1000)} s`, {
      code: 'ERR_CREDENTIAL_HELPER',
      hint: 'the helper may be waiting for a passphrase or an unlock prompt; unlock it and retry',
    });
  }
  if (code === 0) return stdout;
  const text = `${stdout}\n${stderr}`;
  if (text.includes(NOT_FOUND_MESSAGE)) return undefined;
  if (action === 'erase' && /is not in the password store/.test(text)) return undefined; // docker-credential-pass
  const line = scrub(firstLine(stdout) || firstLine(stderr) || `exit status ${code}`, secrets);
  throw new ConfigError(`${what}: ${line}`, { code: 'ERR_CREDENTIAL_HELPER' });
}

/** `get` through a helper: undefined when it has nothing for `serverURL`. */
export async function helperGet(name: string, serverURL: string, env: Env, opts?: HelperOptions): Promise<Credential | undefined> {
  const out = await runHelper(name, 'get', serverURL, env, opts);
  if (out === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(out);
  } catch {
    throw new ConfigError(`credential helper "${helperProgram(name)}" returned an unreadable answer for ${serverURL}`, { code: 'ERR_CREDENTIAL_HELPER' });
  }
  const rec = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const username = typeof rec['Username'] === 'string' ? rec['Username'] : '';
  const secret = typeof rec['Secret'] === 'string' ? rec['Secret'] : '';
  if (username === '' && secret === '') return undefined; // docker-credential-pass 0.6.4 for unknown servers
  if (username === TOKEN_USERNAME) return { identityToken: secret };
  const cred: Credential = { password: secret };
  if (username !== '') cred.username = username;
  return cred;
}

/** `store` through a helper; an identity token goes in as Username `<token>` (docker's convention). */
export async function helperStore(name: string, serverURL: string, cred: Credential, env: Env, opts?: HelperOptions): Promise<void> {
  const body = cred.identityToken
    ? { ServerURL: serverURL, Username: TOKEN_USERNAME, Secret: cred.identityToken }
    : { ServerURL: serverURL, Username: cred.username ?? '', Secret: cred.password ?? '' };
  await runHelper(name, 'store', JSON.stringify(body), env, opts);
}

/** `erase` through a helper: false when it had nothing for `serverURL`. */
export async function helperErase(name: string, serverURL: string, env: Env, opts?: HelperOptions): Promise<boolean> {
  return (await runHelper(name, 'erase', serverURL, env, opts)) !== undefined;
}

/** `list` through a helper: ServerURL → Username. */
export async function helperList(name: string, env: Env, opts?: HelperOptions): Promise<Record<string, string>> {
  const out = await runHelper(name, 'list', '', env, opts);
  if (out === undefined || out.trim() === '') return {};
  try {
    const data = JSON.parse(out) as unknown;
    return typeof data === 'object' && data !== null ? (data as Record<string, string>) : {};
  } catch {
    throw new ConfigError(`credential helper "${helperProgram(name)}" returned an unreadable list`, { code: 'ERR_CREDENTIAL_HELPER' });
  }
}

/** `docker-credential-NAME`, after checking NAME is a plain program suffix. */
export function helperProgram(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new ConfigError(`invalid credential helper name "${name}" in config.json`, { code: 'ERR_CREDENTIAL_HELPER' });
  }
  return HELPER_PREFIX + name;
}

/** Looks `program` up in the injected PATH (and PATHEXT on Windows). */
export function findInPath(program: string, env: Env): string | undefined {
  const path = env['PATH'] ?? env['Path'] ?? '';
  const exts = process.platform === 'win32' ? (env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM').split(';') : [''];
  for (const dir of path.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    for (const ext of exts) {
      const file = join(dir, program + ext);
      try {
        if (!statSync(file).isFile()) continue;
        accessSync(file, constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  spawnError?: NodeJS.ErrnoException;
}

/** node:child_process is loaded here, on use: only a configured credential helper needs it. */
async function exec(file: string, args: string[], input: string, env: Env, timeoutMs: number): Promise<ExecResult> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const childEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
    const child = spawn(file, args, { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let timedOut = false;
    let spawnError: NodeJS.ErrnoException | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
      // a grandchild (e.g. a shell script's subprocess) may keep the pipes open: stop waiting for them
      child.stdout.destroy();
      child.stderr.destroy();
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      if ((outLen += b.length) <= MAX_OUTPUT) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if ((errLen += b.length) <= MAX_OUTPUT) err.push(b);
    });
    child.stdin.on('error', () => undefined); // helper exited without reading stdin
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const r: ExecResult = { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut };
      if (spawnError) r.spawnError = spawnError;
      resolve(r);
    });
    child.stdin.end(input);
  });
}

function describe(program: string, action: HelperAction, input: string): string {
  const verb = { get: 'reading', store: 'storing', erase: 'erasing', list: 'listing' }[action];
  let server = '';
  if (action === 'get' || action === 'erase') server = input.trim();
  else if (action === 'store') {
    try {
      const v = (JSON.parse(input) as Record<string, unknown>)['ServerURL'];
      if (typeof v === 'string') server = v;
    } catch {
      // leave it out
    }
  }
  return `credential helper "${program}" failed ${verb} credentials${server ? ` for ${server}` : ''}`;
}

function secretsIn(action: HelperAction, input: string): string[] {
  if (action !== 'store') return [];
  try {
    const s = (JSON.parse(input) as Record<string, unknown>)['Secret'];
    return typeof s === 'string' && s !== '' ? [s, Buffer.from(s).toString('base64')] : [];
  } catch {
    return [];
  }
}

/** Replaces every occurrence of a known secret, and long opaque tokens, with `***`. */
export function scrub(line: string, secrets: string[]): string {
  let out = line;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  out = out.replace(/\b(?:eyJ[\w-]+\.[\w-]+\.[\w-]+|[A-Za-z0-9+_-]{40,}={0,2})/g, '***');
  return out.length > 300 ? `${out.slice(0, 300)}…` : out;
}

function firstLine(s: string): string {
  for (const line of s.split(/\r?\n/)) if (line.trim() !== '') return line.trim();
  return '';
}

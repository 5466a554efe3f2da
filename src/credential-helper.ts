/**
 * `docker-credential-regctl`: the docker credential-helper protocol on top of the OS keychain (auth/keychain.ts),
 * so docker, crane, oras and regctl itself can all read what `regctl login --keychain` stored
 * (`"credHelpers": {"<registry>": "regctl"}` in config.json).
 *
 *   docker-credential-regctl get      stdin: server URL   → {"ServerURL","Username","Secret"} | "credentials not found in native keychain", exit 1
 *   docker-credential-regctl store    stdin: {"ServerURL","Username","Secret"}
 *   docker-credential-regctl erase    stdin: server URL   (not found → same message as get, exit 1)
 *   docker-credential-regctl list     → {"<ServerURL>":"<Username>",…}
 *   docker-credential-regctl version
 *
 * Errors are one line on stdout (docker shows the helper's stdout) and exit 1; never a stack trace, never the secret.
 * This file is a CLI entry point: only `main` touches process.*.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NOT_FOUND_MESSAGE } from './auth/helper.js';
import { keychainDelete, keychainGet, keychainList, keychainSet } from './auth/keychain.js';

export interface HelperResult {
  stdout: string;
  exitCode: number;
}

const USAGE = 'Usage: docker-credential-regctl <store|get|erase|list|version>';

/** Runs one protocol action with `stdin` as its input. Never throws. */
export async function runCredentialHelper(action: string | undefined, stdin: string): Promise<HelperResult> {
  try {
    switch (action) {
      case 'get': {
        const server = serverURL(stdin);
        const item = await keychainGet(server);
        if (!item) return fail(NOT_FOUND_MESSAGE);
        return ok(JSON.stringify({ ServerURL: server, Username: item.username, Secret: item.secret }));
      }
      case 'store': {
        const creds = parseCredentials(stdin);
        await keychainSet(creds.ServerURL, creds.Username, creds.Secret);
        return ok('');
      }
      case 'erase': {
        const server = serverURL(stdin);
        return (await keychainDelete(server)) ? ok('') : fail(NOT_FOUND_MESSAGE);
      }
      case 'list':
        return ok(JSON.stringify(await keychainList()));
      case 'version':
        return ok(`docker-credential-regctl (regctl) ${version()}`);
      default:
        return fail(USAGE);
    }
  } catch (err) {
    return fail(oneLine(err));
  }
}

/** CLI entry: reads stdin (except for list/version), writes stdout, sets the exit code. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const action = argv[0];
  let input = '';
  if (action === 'get' || action === 'store' || action === 'erase') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    input = Buffer.concat(chunks).toString('utf8');
  }
  const result = await runCredentialHelper(action, input);
  if (result.stdout !== '') process.stdout.write(`${result.stdout}\n`);
  process.exitCode = result.exitCode;
}

class ProtocolError extends Error {}

function serverURL(stdin: string): string {
  const s = stdin.trim();
  if (s === '') throw new ProtocolError('no credentials server URL');
  return s;
}

function parseCredentials(stdin: string): { ServerURL: string; Username: string; Secret: string } {
  let data: unknown;
  try {
    data = JSON.parse(stdin);
  } catch {
    throw new ProtocolError('invalid input: expected JSON {"ServerURL","Username","Secret"} on stdin');
  }
  const rec = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const str = (k: string) => (typeof rec[k] === 'string' ? (rec[k] as string) : '');
  if (str('ServerURL').trim() === '') throw new ProtocolError('no credentials server URL');
  if (str('Username') === '') throw new ProtocolError('no credentials username');
  return { ServerURL: str('ServerURL').trim(), Username: str('Username'), Secret: str('Secret') };
}

function ok(stdout: string): HelperResult {
  return { stdout, exitCode: 0 };
}

function fail(message: string): HelperResult {
  return { stdout: message, exitCode: 1 };
}

function oneLine(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return (m.split('\n').find((l) => l.trim() !== '') ?? 'error').trim();
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

// `node --import tsx src/credential-helper.ts get` runs it directly; the bin shim calls main() itself.
if (process.argv[1] !== undefined && isEntry(process.argv[1])) await main();

function isEntry(argv1: string): boolean {
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

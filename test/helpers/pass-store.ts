import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface PassStore {
  /** GNUPGHOME and PASSWORD_STORE_DIR for docker-credential-pass. */
  env: { GNUPGHOME: string; PASSWORD_STORE_DIR: string };
  /** Runs the real docker-credential-pass (not through regctl). */
  raw(action: string, input: string): Promise<{ code: number; stdout: string }>;
  stop(): void;
}

/** A headless gpg key and `pass` store in a temp dir, for the real docker-credential-pass. */
export async function startPassStore(): Promise<PassStore> {
  const root = mkdtempSync(join(tmpdir(), 'regctl-pass-'));
  const env = { GNUPGHOME: join(root, 'gnupg'), PASSWORD_STORE_DIR: join(root, 'pass') };
  const rawEnv = { ...process.env, ...env };
  mkdirSync(env.GNUPGHOME, { recursive: true, mode: 0o700 });
  await execFileP('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', 'regctl test <t@example.invalid>', 'default', 'default', 'never'], { env: rawEnv });
  const { stdout } = await execFileP('gpg', ['--list-keys', '--with-colons'], { env: rawEnv });
  const fpr = /^fpr:+([0-9A-F]+):/m.exec(stdout)![1]!;
  await execFileP('pass', ['init', fpr], { env: rawEnv });
  return {
    env,
    raw: (action, input) =>
      new Promise((resolve) => {
        const child = execFile('docker-credential-pass', [action], { env: rawEnv }, (err, out) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out.trim() });
        });
        child.stdin!.end(input);
      }),
    stop() {
      try {
        execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: rawEnv, stdio: 'ignore' });
      } catch {
        // agent already gone
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

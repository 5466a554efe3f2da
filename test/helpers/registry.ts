// The real registry (`docker-registry serve`, distribution 2.8.2) on 127.0.0.1, one temp dir each.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { freePort } from './ports.js';
import { testCA } from './tls.js';
import type { TokenServerHandle } from './token-server.js';

export interface RegistryOptions {
  /** Default 'none'. */
  auth?: 'none' | 'htpasswd' | 'token';
  /** Serve https with testCA()'s server certificate. */
  tls?: boolean;
  /** htpasswd users (name → password); required for auth 'htpasswd'. */
  users?: Record<string, string>;
  /** Required for auth 'token'. */
  token?: TokenServerHandle;
  /** Overrides the token server's service (to test a mismatched audience). */
  service?: string;
  /** Overrides the token server's issuer (to test a mismatched issuer). */
  issuer?: string;
  /** Accept manifests naming foreign layers by these URL patterns (distribution's validation.manifests.urls.allow). */
  allowLayerUrls?: string[];
}

export interface RegistryHandle {
  /** '127.0.0.1:PORT' */
  host: string;
  port: number;
  /** 'http(s)://127.0.0.1:PORT' */
  url: string;
  /** The CA certificate (PEM file) to trust when tls is on. */
  caFile?: string;
  /** The registry's storage root. */
  dataDir: string;
  stop(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  dir: string;
  stopped?: Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const PORT_ATTEMPTS = 3;
const execFileAsync = promisify(execFile);
const running = new Set<Running>();
// No registry outlives the test process: killed on exit, and on a signal, which is then re-raised.
const killAllNow = (): void => running.forEach(({ child, dir }) => {
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
process.once('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAllNow();
    process.kill(process.pid, signal);
  });
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<RegistryHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'regctl-registry-'));
  try {
    const auth = await authConfig(dir, opts);
    const ca = opts.tls ? await testCA() : undefined;
    const tls = ca ? { certificate: ca.serverCert, key: ca.serverKey } : undefined;
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const scheme = tls ? 'https' : 'http';
      const config = {
        version: '0.1',
        log: { level: 'error', accesslog: { disabled: true } },
        storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
        http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex'), ...(tls && { tls }) },
        ...(auth && { auth }),
        ...(opts.allowLayerUrls && { validation: { manifests: { urls: { allow: opts.allowLayerUrls } } } }),
      };
      // YAML is a superset of JSON, so the config needs no YAML writer.
      await writeFile(join(dir, 'config.yml'), JSON.stringify(config, null, 2));
      const entry = spawnRegistry(dir);
      try {
        await waitReady(entry, `${scheme}://127.0.0.1:${port}`, ca?.caCert);
      } catch (err) {
        entry.child.kill('SIGKILL');
        running.delete(entry);
        if (attempt < PORT_ATTEMPTS && /address already in use/.test(String(err))) continue;
        throw err;
      }
      return {
        host: `127.0.0.1:${port}`, port, url: `${scheme}://127.0.0.1:${port}`,
        caFile: ca?.caCert, dataDir: join(dir, 'data'),
        stop: () => stopEntry(entry),
      };
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Stops every registry this process started; for an `after()` hook. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stopEntry));
}

async function authConfig(dir: string, opts: RegistryOptions): Promise<object | undefined> {
  switch (opts.auth ?? 'none') {
    case 'none':
      return undefined;
    case 'htpasswd': {
      const users = Object.entries(opts.users ?? {});
      if (users.length === 0) throw new Error("startRegistry: auth 'htpasswd' needs at least one user in opts.users");
      const path = join(dir, 'htpasswd');
      for (const [i, [user, password]] of users.entries()) {
        await htpasswd([i === 0 ? '-Bbc' : '-Bb', path, user, password]);
      }
      return { htpasswd: { realm: 'basic-realm', path } };
    }
    case 'token': {
      const token = opts.token;
      if (!token) throw new Error("startRegistry: auth 'token' needs opts.token (a startTokenServer() handle)");
      return {
        token: {
          realm: token.realm, service: opts.service ?? token.service,
          issuer: opts.issuer ?? token.issuer, rootcertbundle: token.certFile,
        },
      };
    }
  }
}

async function htpasswd(args: string[]): Promise<void> {
  try {
    await execFileAsync('htpasswd', args);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('htpasswd is not installed (Debian package: apache2-utils)');
    throw new Error(`htpasswd failed: ${e.stderr || e.message}`);
  }
}

function spawnRegistry(dir: string): Running {
  const log = openSync(join(dir, 'registry.log'), 'w');
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', log, log] });
  closeSync(log);
  // The test process may exit with the registry still up; the 'exit' hook then kills it.
  child.unref();
  const entry: Running = { child, dir };
  running.add(entry);
  return entry;
}

async function waitReady({ child, dir }: Running, url: string, caFile: string | undefined): Promise<void> {
  let spawnError: Error | undefined;
  child.once('error', (err) => { spawnError = err; });
  const dispatcher = new Agent({ connect: caFile ? { ca: await readFile(caFile) } : {} });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if ((spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new Error('docker-registry is not installed (Debian package: docker-registry)');
      }
      if (spawnError) throw spawnError;
      if (child.exitCode !== null || child.signalCode !== null) {
        const log = await readFile(join(dir, 'registry.log'), 'utf8');
        throw new Error(`docker-registry exited (${child.exitCode ?? child.signalCode}): ${log.trim()}`);
      }
      try {
        const res = await request(`${url}/v2/`, { dispatcher });
        await res.body.dump();
        if (res.statusCode === 200 || res.statusCode === 401) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`docker-registry at ${url} not ready after ${READY_TIMEOUT_MS} ms`);
      await sleep(20);
    }
  } finally {
    await dispatcher.close();
  }
}

function stopEntry(entry: Running): Promise<void> {
  entry.stopped ??= (async () => {
    const { child, dir } = entry;
    if (child.exitCode === null && child.signalCode === null) {
      // Referenced again, or the test process could exit while waiting for an unreferenced child.
      child.ref();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
    running.delete(entry);
  })();
  return entry.stopped;
}

import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import { AuthError, NetworkError, NotFoundError, RegctlError, UsageError } from '../errors.js';
import type { Env } from '../util/env.js';
import { MAX_ERROR_BODY_BYTES, MAX_METADATA_BYTES } from '../util/limits.js';
import { readCapped } from '../util/read-capped.js';
import { engineEndpoint, type EngineEndpoint } from './endpoint.js';

/** What `POST /images/load` reported: the names (`alpine:latest`) and IDs (`sha256:…`) the daemon now holds. */
export interface LoadReport {
  names: string[];
  ids: string[];
}

/**
 * The few calls of the Docker Engine API regctl needs, over undici on the daemon's unix socket or tcp address:
 * `_ping`, `GET /images/get` (docker save) and `POST /images/load` (docker load). Both image calls stream; nothing
 * the daemon sends is trusted (messages and reports are read with a cap). Unversioned paths: the daemon's own API.
 */
export class DockerEngine {
  private readonly agent: Agent;
  private readonly signal: AbortSignal | undefined;

  /** `signal` aborts every request (the command's `--timeout`). */
  constructor(readonly endpoint: EngineEndpoint, opts: { signal?: AbortSignal } = {}) {
    // The daemon answers a load only once it has unpacked the whole image: no limit on waiting for headers.
    this.agent = new Agent({
      connect: { timeout: 30_000, ...(endpoint.socketPath ? { socketPath: endpoint.socketPath } : {}) },
      headersTimeout: 0,
      bodyTimeout: 300_000,
    });
    this.signal = opts.signal;
  }

  /** The daemon of `$DOCKER_HOST`, else /var/run/docker.sock. */
  static fromEnv(env: Env, signal?: AbortSignal): DockerEngine {
    return new DockerEngine(engineEndpoint(env), signal ? { signal } : {});
  }

  /** Succeeds when the daemon answers; a daemon that is not running is a NetworkError (exit 5) with a hint. */
  async ping(): Promise<void> {
    const res = await this.request({ method: 'GET', path: '/_ping' }, 'pinging the Docker daemon');
    await readCapped(res.body, MAX_ERROR_BODY_BYTES, 'the Docker daemon\'s ping answer');
  }

  /**
   * `docker save NAME` as a stream of the tarball the daemon writes. NotFoundError (exit 3) for an unknown image.
   * The body is read through its async iterator: piped straight into a file, undici's body stalls on every
   * backpressure cycle with the daemon's small chunked writes (64 MiB: 55–70 s, against ~1 s read this way).
   */
  async exportImage(name: string): Promise<Readable> {
    const res = await this.request({ method: 'GET', path: `/images/get?names=${encodeURIComponent(name)}` }, `exporting ${name} from the Docker daemon`);
    return Readable.from(res.body, { objectMode: false });
  }

  /**
   * `docker load` of the tarball `tar` streams: resolves with what the daemon loaded once it has answered, and fails
   * with the daemon's own message when it refuses the archive (the answer is 200 with the error inside).
   */
  async loadImage(tar: Readable): Promise<LoadReport> {
    const res = await this.request(
      { method: 'POST', path: '/images/load?quiet=1', body: tar, headers: { 'content-type': 'application/x-tar' } },
      'loading an image into the Docker daemon',
    );
    const text = (await readCapped(res.body, MAX_METADATA_BYTES, 'the Docker daemon\'s load report')).toString('utf8');
    return loadReport(text);
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }

  private async request(opts: Omit<Dispatcher.RequestOptions, 'origin'>, what: string): Promise<Dispatcher.ResponseData> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.agent.request({ ...opts, origin: this.endpoint.origin, ...(this.signal ? { signal: this.signal } : {}) });
    } catch (err) {
      throw this.unreachable(err, what);
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return res;
    const body = await readCapped(res.body, MAX_ERROR_BODY_BYTES, 'the Docker daemon\'s error').catch(() => Buffer.alloc(0));
    throw apiError(res.statusCode, daemonMessage(body.toString('utf8')), what);
  }

  /** A connection failure, named for the daemon: not running, not allowed, or gone mid-way. */
  private unreachable(err: unknown, what: string): Error {
    if (err instanceof RegctlError || this.signal?.reason === err) return err as Error;
    const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    const code = e.cause?.code ?? e.code ?? '';
    const where = this.endpoint.text;
    if (code === 'EACCES' || code === 'EPERM') {
      return new AuthError(`permission denied on the Docker daemon's socket ${where}`, {
        code: 'ERR_DAEMON_ACCESS',
        cause: err,
        hint: 'run as a member of the docker group, or point DOCKER_HOST at a daemon you may use',
      });
    }
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ENOTFOUND') {
      return new NetworkError(`cannot reach the Docker daemon at ${where}: ${code === 'ENOENT' ? 'no such socket' : code}`, {
        code: 'ERR_DAEMON_UNREACHABLE',
        cause: err,
        hint: 'is dockerd running? Start it, or point DOCKER_HOST at its socket (unix:///PATH) or address (tcp://HOST:PORT)',
      });
    }
    return new NetworkError(`${what} failed: ${e.message || code || 'connection error'} (${where})`, { code: 'ERR_DAEMON_CONNECTION', cause: err });
  }
}

/** The daemon's `{"message": …}`, else its text (first line, trimmed). */
function daemonMessage(text: string): string {
  try {
    const doc = JSON.parse(text) as { message?: unknown };
    if (typeof doc.message === 'string') return doc.message;
  } catch {
    // not JSON
  }
  return text.trim().split('\n')[0]?.slice(0, 500) || '(no message)';
}

function apiError(status: number, message: string, what: string): RegctlError {
  const text = `${what}: ${message}`;
  if (status === 404) return new NotFoundError(text, { code: 'ERR_IMAGE_NOT_FOUND', hint: 'list what the daemon holds with `docker images`' });
  if (status === 400) return new UsageError(text);
  if (status === 401 || status === 403) return new AuthError(text, { code: 'ERR_DAEMON_ACCESS' });
  return new RegctlError('ERR_DAEMON', `${text} (HTTP ${status})`);
}

/**
 * Reads docker load's answer: JSON messages, one a line — `{"stream":"Loaded image: alpine:latest\n"}`,
 * `{"stream":"Loaded image ID: sha256:…\n"}`, or `{"errorDetail":{…},"error":"…"}` when the daemon refused.
 */
function loadReport(text: string): LoadReport {
  const report: LoadReport = { names: [], ids: [] };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let msg: { stream?: unknown; error?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      throw new RegctlError('ERR_DAEMON', `the Docker daemon's load report is not JSON: ${line.slice(0, 200)}`);
    }
    if (typeof msg.error === 'string') {
      throw new RegctlError('ERR_DAEMON_LOAD', `the Docker daemon refused the image: ${msg.error}`);
    }
    const stream = typeof msg.stream === 'string' ? msg.stream.trim() : '';
    const id = /^Loaded image ID: (\S+)$/.exec(stream)?.[1];
    const name = /^Loaded image: (\S+)$/.exec(stream)?.[1];
    if (id) report.ids.push(id);
    if (name) report.names.push(name);
  }
  return report;
}

import { UsageError } from '../errors.js';
import type { Env } from '../util/env.js';

/** Where the Docker Engine API answers: a unix socket, or a plain-http address. */
export interface EngineEndpoint {
  /** As the user wrote it (or the default), for messages: `unix:///var/run/docker.sock`, `tcp://127.0.0.1:2375`. */
  readonly text: string;
  /** The origin requests are made against (`http://localhost` over a socket). */
  readonly origin: string;
  readonly socketPath?: string;
}

const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/**
 * The daemon docker's CLI would talk to: `$DOCKER_HOST` (`unix:///PATH` or `tcp://HOST[:PORT]`, port 2375 by
 * default), else /var/run/docker.sock. TLS to the daemon (`DOCKER_TLS_VERIFY`), ssh:// and npipe:// are refused
 * (exit 2) rather than silently talked to in plain text.
 */
export function engineEndpoint(env: Env): EngineEndpoint {
  const text = env.DOCKER_HOST || DEFAULT_DOCKER_HOST;
  const scheme = /^([a-z]+):\/\//.exec(text)?.[1];
  if (scheme === 'unix') {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw bad(text, 'a unix socket needs an absolute path: unix:///PATH');
    return { text, origin: 'http://localhost', socketPath };
  }
  if (scheme === 'tcp') {
    if (env.DOCKER_TLS_VERIFY) {
      throw new UsageError(`TLS to the Docker daemon (DOCKER_TLS_VERIFY) is not supported: cannot reach ${text}`, {
        hint: 'unset DOCKER_TLS_VERIFY for a plain-tcp daemon, or reach it through its unix socket (DOCKER_HOST=unix:///var/run/docker.sock)',
      });
    }
    let url: URL;
    try {
      url = new URL(`http://${text.slice('tcp://'.length)}`);
    } catch {
      throw bad(text, 'want tcp://HOST[:PORT]');
    }
    if (url.pathname !== '/' || url.search || url.username) throw bad(text, 'want tcp://HOST[:PORT]');
    return { text, origin: `http://${url.hostname}:${url.port || '2375'}` };
  }
  throw bad(text, 'regctl talks to the Docker daemon over unix:///PATH or tcp://HOST[:PORT]');
}

function bad(text: string, hint: string): UsageError {
  return new UsageError(`unsupported DOCKER_HOST "${text}"`, { hint });
}

/**
 * One error hierarchy for the whole library. Every error carries a stable `code`, an optional
 * `hint` for the user and the process exit code the CLI should use. Only the CLI layer turns
 * these into text and exit codes; the library just throws them.
 *
 * Exit codes: 0 ok; 1 other failure; 2 usage or invalid reference; 3 not found;
 * 4 authentication or authorization refused; 5 network or TLS failure; 6 integrity failure.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  network: 5,
  integrity: 6,
} as const;

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
}

export class RegctlError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode: number = ExitCode.failure, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    if (opts.hint !== undefined) this.hint = opts.hint;
  }
}

/** Bad command-line usage or bad option values. */
export class UsageError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions) {
    super('ERR_USAGE', message, ExitCode.usage, opts);
  }
}

/** An image reference that does not follow the grammar. `code` names the problem. */
export class InvalidReferenceError extends RegctlError {
  constructor(code: string, message: string, opts?: ErrorOptions) {
    super(code, message, ExitCode.usage, opts);
  }
}

/** Manifest, tag, repository, blob or local image not found. */
export class NotFoundError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: string }) {
    super(opts?.code ?? 'ERR_NOT_FOUND', message, ExitCode.notFound, opts);
  }
}

/** Authentication failed (bad credentials) or authorization refused (no permission). */
export class AuthError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: string }) {
    super(opts?.code ?? 'ERR_AUTH', message, ExitCode.auth, opts);
  }
}

/** Connection refused/reset, DNS, timeouts, TLS verification failures. */
export class NetworkError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: string }) {
    super(opts?.code ?? 'ERR_NETWORK', message, ExitCode.network, opts);
  }
}

/** Digest or size mismatch, corrupt archive. */
export class IntegrityError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: string }) {
    super(opts?.code ?? 'ERR_INTEGRITY', message, ExitCode.integrity, opts);
  }
}

/** Configuration or credential storage problems (unreadable config, keychain unavailable). */
export class ConfigError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: string; hint?: string }) {
    super(opts?.code ?? 'ERR_CONFIG', message, ExitCode.failure, opts);
  }
}

/** A registry answered with an error status that maps to no more specific class. */
export class RegistryError extends RegctlError {
  readonly status: number;
  readonly errors: { code: string; message?: string }[];
  constructor(message: string, status: number, errors: { code: string; message?: string }[] = [], opts?: ErrorOptions) {
    super('ERR_REGISTRY', message, ExitCode.failure, opts);
    this.status = status;
    this.errors = errors;
  }
}

/** Walks the `cause` chain for the first error of the given class. */
export function findCause<T extends Error>(err: unknown, cls: abstract new (...args: never[]) => T): T | undefined {
  let cur: unknown = err;
  for (let depth = 0; cur instanceof Error && depth < 20; depth++) {
    if (cur instanceof cls) return cur;
    cur = cur.cause;
  }
  return undefined;
}

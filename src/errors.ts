/**
 * One error hierarchy for the whole library. Every error carries a stable `code`, an optional
 * `hint` for the user and the process exit code the CLI should use. Only the CLI layer turns
 * these into text and exit codes; the library just throws them.
 *
 * Exit codes: 0 ok; 1 other failure; 2 usage or invalid reference; 3 not found;
 * 4 authentication or authorization refused; 5 network or TLS failure (time-outs included); 6 integrity failure;
 * 130 cancelled (the caller's signal, or SIGINT in the CLI).
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  network: 5,
  integrity: 6,
  notTrusted: 7,
  cancelled: 130,
} as const;

/**
 * Every `code` a RegctlError carries: stable, for callers to branch on. File-system failures are `ERR_FS_<errno>`
 * (`ERR_FS_ENOSPC`, `ERR_FS_EACCES`, …).
 */
export type ErrorCode =
  | 'ERR_ADDRESS_REFUSED' | 'ERR_ARCHIVE_ABORTED' | 'ERR_ARCHIVE_BOMB' | 'ERR_ARCHIVE_CLOSED' | 'ERR_ARCHIVE_CORRUPT'
  | 'ERR_ARCHIVE_HOSTILE' | 'ERR_ARCHIVE_INCOMPLETE' | 'ERR_ARCHIVE_NOT_FOUND' | 'ERR_AUTH' | 'ERR_BAD_CREDENTIALS'
  | 'ERR_BAD_PASSPHRASE' | 'ERR_KEY_INVALID' | 'ERR_KEY_UNSUPPORTED'
  | 'ERR_BAD_RANGE' | 'ERR_BASE_MISMATCH' | 'ERR_BATCH' | 'ERR_BLOB_NOT_FOUND' | 'ERR_BLOB_TOO_LARGE'
  | 'ERR_BLOB_UNKNOWN' | 'ERR_CANCELLED' | 'ERR_CONFIG' | 'ERR_CONFIG_INVALID' | 'ERR_CONNECTION_REFUSED'
  | 'ERR_CONNECTION_RESET' | 'ERR_CREDENTIAL_HELPER' | 'ERR_CREDENTIAL_HELPER_NOT_FOUND' | 'ERR_DAEMON'
  | 'ERR_DAEMON_ACCESS' | 'ERR_DAEMON_CONNECTION' | 'ERR_DAEMON_LOAD' | 'ERR_DAEMON_UNREACHABLE' | 'ERR_DENIED'
  | 'ERR_DIGESTFILE' | 'ERR_DIGEST_ALGORITHM' | 'ERR_DIGEST_INVALID' | 'ERR_DIGEST_MISMATCH' | 'ERR_DNS'
  | 'ERR_FILE_NOT_FOUND' | 'ERR_IMAGE_CONFLICT' | 'ERR_IMAGE_NOT_FOUND' | 'ERR_INTEGRITY' | 'ERR_INTERNAL'
  | 'ERR_JSON_TOO_DEEP' | 'ERR_KEYCHAIN' | 'ERR_KEYCHAIN_UNAVAILABLE' | 'ERR_LAYOUT_INDEX' | 'ERR_LAYOUT_NOT_FOUND'
  | 'ERR_LAYOUT_SYMLINK' | 'ERR_MANIFEST_INCOMPLETE' | 'ERR_MANIFEST_INVALID' | 'ERR_MANIFEST_TOO_LARGE'
  | 'ERR_MANIFEST_UNKNOWN' | 'ERR_NAME_UNKNOWN' | 'ERR_NETWORK' | 'ERR_NOT_AN_IMAGE' | 'ERR_NOT_FOUND' | 'ERR_NOT_TRUSTED'
  | 'ERR_PLAIN_HTTP' | 'ERR_PLATFORM_NOT_FOUND' | 'ERR_PRUNE_FAILED' | 'ERR_REALM_REFUSED' | 'ERR_REF_DIGEST'
  | 'ERR_REF_EMPTY' | 'ERR_REF_FORMAT' | 'ERR_REF_IMAGE_ID' | 'ERR_REF_TAG' | 'ERR_REF_TOO_LONG' | 'ERR_REF_UPPERCASE'
  | 'ERR_REGISTRY' | 'ERR_SIGNATURE_MALFORMED' | 'ERR_SIZE_MISMATCH' | 'ERR_STORE_LOCKED' | 'ERR_SYNC_FAILED' | 'ERR_TAG_MOVED' | 'ERR_TIMEOUT'
  | 'ERR_TLS' | 'ERR_TOO_LARGE' | 'ERR_UNAUTHORIZED' | 'ERR_USAGE' | 'ERR_WALK_LIMIT'
  | `ERR_FS_${string}`;

export interface ErrorOptions {
  hint?: string;
  cause?: unknown;
  /** The option (in the library's terms: `to`, `platform`) the error is about; the CLI names its flag instead. */
  option?: string;
  /** The registry or other host (HOST[:PORT]) the error is about: the one to log in to, to trust, or to mark insecure. */
  host?: string;
}

export class RegctlError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly exitCode: number;
  /** The option the error is about, in the library's terms (`to`, `platform`, `credentials.creds`). */
  readonly option?: string;
  /** The registry or other host (HOST[:PORT]) the error is about, when it is about one. */
  readonly host?: string;

  constructor(code: ErrorCode, message: string, exitCode: number = ExitCode.failure, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.option !== undefined) this.option = opts.option;
    if (opts.host !== undefined) this.host = opts.host;
  }
}

/**
 * An image (or artifact) that is not trusted: no signature, none valid for the keys or identities asked for, or a
 * trust policy's requirement it does not meet. `reasons` says why, one line per signature or requirement.
 */
export class NotTrustedError extends RegctlError {
  readonly reasons: readonly string[];
  constructor(message: string, reasons: readonly string[] = [], opts?: ErrorOptions & { code?: ErrorCode }) {
    super(opts?.code ?? 'ERR_NOT_TRUSTED', message, ExitCode.notTrusted, opts);
    this.reasons = reasons;
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
  constructor(code: ErrorCode, message: string, opts?: ErrorOptions) {
    super(code, message, ExitCode.usage, opts);
  }
}

/** Manifest, tag, repository, blob or local image not found. */
export class NotFoundError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: ErrorCode }) {
    super(opts?.code ?? 'ERR_NOT_FOUND', message, ExitCode.notFound, opts);
  }
}

/** Authentication failed (bad credentials) or authorization refused (no permission). */
export class AuthError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: ErrorCode }) {
    super(opts?.code ?? 'ERR_AUTH', message, ExitCode.auth, opts);
  }
}

/** Connection refused/reset, DNS, timeouts, TLS verification failures. */
export class NetworkError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: ErrorCode }) {
    super(opts?.code ?? 'ERR_NETWORK', message, ExitCode.network, opts);
  }
}

/** Digest or size mismatch, corrupt archive. */
export class IntegrityError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: ErrorCode }) {
    super(opts?.code ?? 'ERR_INTEGRITY', message, ExitCode.integrity, opts);
  }
}

/** Configuration or credential storage problems (unreadable config, keychain unavailable). */
export class ConfigError extends RegctlError {
  constructor(message: string, opts?: ErrorOptions & { code?: ErrorCode; hint?: string }) {
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

/** The operation was cancelled through its `signal` (the signal's reason is the `cause`). Exit 130. */
export class CancelledError extends RegctlError {
  constructor(message = 'cancelled', opts?: ErrorOptions) {
    super('ERR_CANCELLED', message, ExitCode.cancelled, opts);
  }
}

/** A time limit ran out (`timeoutMs`, `--timeout`, or a registry that accepts connections and never answers). Exit 5. */
export class TimeoutError extends NetworkError {
  constructor(message: string, opts?: ErrorOptions) {
    super(message, { ...opts, code: 'ERR_TIMEOUT' });
  }
}

/** An image's first layers are not the old base's (rebase): nothing is written. Exit 1. */
export class BaseMismatchError extends RegctlError {
  constructor(message: string) {
    super('ERR_BASE_MISMATCH', message, ExitCode.failure, { option: 'oldBase', hint: 'option oldBase must be the very base the image was built on' });
  }
}

/** Some of several independent items (images of a sync, deletions of a prune, inputs of a batch) failed. */
export class PartialFailureError extends RegctlError {
  constructor(code: ErrorCode, message: string, exitCode: number) {
    super(code, message, exitCode);
  }
}

/**
 * The one rule for the exit code of a partial failure: the code the failures share, else 1 (a mix of not-found
 * and auth failures is not "not found").
 */
export function partialExitCode(failures: readonly { error?: unknown }[]): number {
  const codes = new Set(failures.map((f) => (f.error instanceof RegctlError ? f.error.exitCode : ExitCode.failure)));
  return codes.size === 1 ? [...codes][0]! : ExitCode.failure;
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

import type { CredentialStore } from '../auth/store.js';
import type { RegctlSettings } from '../config/regctl-settings.js';
import type { Platform } from '../oci/platform.js';
import type { Transport } from '../transport/transport.js';
import type { Env } from '../util/env.js';
import type { Limiter } from '../util/limiter.js';

/** Everything an operation needs from the outside world, built once by the caller (the CLI or a library user). */
export interface OpsContext {
  env: Env;
  homedir: string;
  /** The host's platform: what pull and save take out of an index by default. */
  platform: Platform;
  settings: RegctlSettings;
  credentials: CredentialStore;
  transport: Transport;
  /** The local image store's folder (`local:` images). */
  storePath: string;
  /** One limit on blobs in flight shared by every call of the context, over each call's own `jobs` (`blobConcurrency`). @internal */
  blobs?: Limiter;
}

/**
 * Something the user should hear about (a pull rate limit running low, a format caveat, a new index); the library
 * never prints. `code` says what: `RATE_LIMIT_LOW`, `SKIPPED`, `CONFIG_IGNORED`, `DOCKER_FORMAT_KEPT`, `NEW_INDEX`.
 */
export interface Warning {
  code: string;
  message: string;
}

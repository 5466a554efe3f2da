import type { CopyProgress } from '../content/copy.js';
import type { CredentialOptions } from './credentials.js';

/** The options of a transfer between a registry and a local place (pull, push, save). */
export interface TransferOptions {
  jobs?: number | undefined;
  onProgress?: ((event: CopyProgress) => void) | undefined;
  /** Credentials for the registry (stored ones when not given). */
  credentials?: CredentialOptions | undefined;
}

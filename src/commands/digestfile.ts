import { ExitCode, RegctlError } from '../errors.js';
import { atomicWriteFile } from '../util/atomic-write.js';

/** `--digestfile FILE`: the final manifest digest, without a newline (as skopeo writes it), through temp + rename. */
export async function writeDigestFile(file: string | undefined, digest: string): Promise<void> {
  if (file === undefined) return;
  try {
    await atomicWriteFile(file, digest, 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'write error';
    throw new RegctlError('ERR_DIGESTFILE', `--digestfile ${file}: cannot write it (${code})`, ExitCode.failure, { cause: err });
  }
}

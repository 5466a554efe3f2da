import { parsePlatform, type Platform } from '../oci/platform.js';

/** A repeatable `--platform` (save, index create/add): every value given, each may be a comma-separated list. */
export function platformList(values: readonly string[]): Platform[] {
  return values.flatMap((p) => p.split(',')).filter((p) => p.trim() !== '').map(parsePlatform);
}

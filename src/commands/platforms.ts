import { parsePlatform, type Platform } from '../oci/platform.js';

/** A repeatable `--platform` (save, index create/add/remove): every value given, each may be a comma-separated list. */
export function platformNames(values: readonly string[]): string[] {
  return values.flatMap((p) => p.split(',')).filter((p) => p.trim() !== '');
}

/** platformNames, each parsed. */
export function platformList(values: readonly string[]): Platform[] {
  return platformNames(values).map(parsePlatform);
}

import { readFileSync } from 'node:fs';

let version: string | undefined;

/**
 * regctl's version: package.json's, the one place it is written. Read next to dist/ (the package's root) once;
 * the CLI bundle has it inlined at build time instead (scripts/bundle.mjs).
 */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

import { readFileSync } from 'node:fs';

let version: string | undefined;
let commit: string | undefined;

/**
 * regctl's version: package.json's, the one place it is written. Read next to dist/ (the package's root) once;
 * the CLI bundle has it inlined at build time instead (scripts/bundle.mjs).
 */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}

/**
 * The git commit regctl was built from, recorded at build time (scripts/bundle.mjs writes dist/build-info.json and
 * inlines it into the bundle); `unknown` when built outside a git checkout or run from the sources.
 */
export function buildCommit(): string {
  if (commit === undefined) {
    try {
      commit = String((JSON.parse(readFileSync(new URL('../build-info.json', import.meta.url), 'utf8')) as { commit?: unknown }).commit ?? 'unknown');
    } catch {
      commit = 'unknown';
    }
  }
  return commit;
}

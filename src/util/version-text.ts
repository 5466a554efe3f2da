import { buildCommit, packageVersion } from './version.js';

/** `regctl version` and `--version`: the first line as skopeo's (`regctl version X`), then commit, Node, platform. */
export function versionText(runtime?: { platform: string; arch: string; version?: string }): string {
  return [
    `regctl version ${packageVersion()}`,
    `commit: ${buildCommit()}`,
    `node: ${runtime?.version ?? 'unknown'}`,
    `platform: ${runtime ? `${runtime.platform}/${runtime.arch}` : 'unknown'}`,
  ].join('\n');
}

import type { PruneAction, PruneReport } from '../ops/prune.js';
import { record } from '../template/template.js';
import { humanSize } from './bytes.js';
import { renderTable } from './table.js';
import { terminalSafe } from './terminal.js';

/** The plan: every image tag with what happens to it and why, then each write (untag, manifest, signature). */
export function prunePlan(report: PruneReport): string {
  const short = (digest: string) => digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
  const rows = report.tags.map((t) => [t.tag, short(t.digest), t.created ?? '-', t.decision === 'delete' ? 'DELETE' : 'keep', t.reason]);
  const table = renderTable(['TAG', 'DIGEST', 'CREATED', 'ACTION', 'WHY'], rows);
  return table + report.actions.map((a) => `${actionLine(a)}\n`).join('');
}

/** `untag REPO:TAG`, `delete REPO@DIGEST (tags a, b; 12MB)`, with the outcome once carried out. */
export function actionLine(a: PruneAction): string {
  const verb = a.kind === 'untag' ? 'untag' : a.kind === 'manifest' ? 'delete' : `delete ${a.kind}`;
  const detail = a.kind === 'manifest' ? ` (tags ${a.tags!.join(', ')}${a.bytes ? `; ${humanSize(a.bytes)} of blobs` : ''})` : '';
  const outcome = a.status === 'done' ? '' : a.status === 'failed' ? `: FAILED: ${a.error?.message ?? ''}` : '';
  return terminalSafe(`${verb} ${a.name}${detail}${outcome}`);
}

/** One line for stderr: what was (or would be) deleted and kept. */
export function pruneSummary(report: PruneReport): string {
  const manifests = report.actions.filter((a) => a.kind === 'manifest').length;
  const signatures = report.actions.filter((a) => a.kind === 'signature' || a.kind === 'referrer').length;
  const parts = [
    `${report.deleted} tag${report.deleted === 1 ? '' : 's'} ${report.dryRun ? 'to delete' : 'deleted'}`,
    `${report.kept} kept`,
    ...(manifests ? [`${manifests} manifest${manifests === 1 ? '' : 's'}`] : []),
    ...(signatures ? [`${signatures} signature${signatures === 1 ? '' : 's'}/referrer${signatures === 1 ? '' : 's'}`] : []),
    ...(report.bytesFreed !== undefined ? [`${humanSize(report.bytesFreed)} of blobs freed${report.dryRun ? '' : ' (after the registry\'s garbage collection)'}`] : []),
    ...(report.failed ? [`${report.failed} failed`] : []),
  ];
  return `${report.repository}: ${parts.join(', ')}${report.dryRun ? ' — dry run, nothing deleted (add --yes to delete)' : ''}\n`;
}

/**
 * What a `--format` template sees of a prune report: `Repository`, `DryRun`, `Tags` (each `Tag`, `Digest`,
 * `Created`, `Decision`, `Reason`), `Actions` (each `Kind`, `Name`, `Tag`, `Digest`, `Tags`, `Bytes`, `Status`,
 * `Error`), `Deleted`, `Kept`, `Failed`, `BytesFreed`.
 */
export function pruneData(report: PruneReport): object {
  const tags = report.tags.map((t) => record({ Tag: t.tag, Digest: t.digest, Created: t.created ?? '', Decision: t.decision, Reason: t.reason }, 'TagPlan'));
  const actions = report.actions.map((a) => record({
    Kind: a.kind,
    Name: a.name,
    Tag: a.tag ?? '',
    Digest: a.digest,
    Tags: a.tags ?? [],
    Bytes: a.bytes ?? 0,
    Status: a.status,
    Error: a.error?.message ?? '',
  }, 'PruneAction'));
  const { repository, dryRun, deleted, kept, failed, bytesFreed } = report;
  return record({ Repository: repository, DryRun: dryRun, Tags: tags, Actions: actions, Deleted: deleted, Kept: kept, Failed: failed, BytesFreed: bytesFreed ?? 0 }, 'PruneReport');
}

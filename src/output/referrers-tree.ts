import type { ReferrerNode, ReferrersResult } from '../ops/referrers.js';
import { humanSize } from './bytes.js';
import { terminalSafe } from './terminal.js';

/** `regctl referrers` as a tree (like `oras discover`): the subject, then each referrer's type, digest and tag. */
export function renderReferrersTree(r: ReferrersResult): string {
  const lines = [`${r.name} (${r.subject.digest})`];
  const walk = (nodes: ReferrerNode[], indent: string): void => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      const title = n.desc.annotations?.['org.opencontainers.image.title'];
      const extras = [humanSize(n.desc.size), n.tag ? `tag ${n.tag}` : '', title ?? ''].filter(Boolean).join(', ');
      lines.push(`${indent}${last ? '└── ' : '├── '}${n.desc.artifactType ?? n.desc.mediaType}  ${n.desc.digest}  (${extras})`);
      walk(n.referrers, indent + (last ? '    ' : '│   '));
    });
  };
  walk(r.referrers, '');
  return `${lines.map((l) => terminalSafe(l)).join('\n')}\n`;
}

/** The JSON form: the subject and a nested list of referrer descriptors (with `tag` and `referrers`). */
export function referrersJson(r: ReferrersResult): string {
  const node = (n: ReferrerNode): object => ({ ...n.desc, ...(n.tag ? { tag: n.tag } : {}), referrers: n.referrers.map(node) });
  return `${JSON.stringify({ name: r.name, subject: r.subject, referrers: r.referrers.map(node) }, null, 2)}\n`;
}

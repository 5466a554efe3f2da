// What the registry verbs print (manifest put/delete, blob put/delete, delete, attach, index, login, logout), as
// `--format` says: their text lines, their result as JSON, or a Go template over it under Go-style field names.
import type { Descriptor } from '../oci/manifest.js';
import { record } from '../template/template.js';
import { RegctlError } from '../errors.js';
import { parseFormat, renderTemplate, TEXT_JSON, type OutputFormat } from './format.js';
import { descriptorData } from './template-data.js';
import { terminalSafe } from './terminal.js';

/** How a result or a report prints: text, JSON, or a Go template. */
export type ResultFormat = OutputFormat<(typeof TEXT_JSON)[number]>;

/** `--format`'s help on these commands: what the text is, and a template's example. */
export function resultFormatHelp(text: string, example: string): string {
  return `text (${text}), json, or a Go template, e.g. '${example}' (README: Output formats)`;
}

/** Reads `--format` (default text): before any work, so a bad template fails first (exit 2). */
export function resultFormat(value: string | undefined): ResultFormat {
  return parseFormat(value ?? 'text', TEXT_JSON);
}

/**
 * A result (or a report: sync, prune, copy) as `format` says: `text` as given, the JSON of `json` (its errors as
 * `{ code, message, exitCode }`: an Error's own fields would lose the message), or the template over `data()`.
 */
export function renderResult(format: ResultFormat, text: string, json: unknown, data: () => object): string {
  if (format.template) return renderTemplate(format.template, [data()]);
  if (format.builtin === 'text') return text;
  return `${JSON.stringify(json, (_key, v: unknown) => (v instanceof RegctlError ? { code: v.code, message: v.message, exitCode: v.exitCode } : v), 2)}\n`;
}

/** A manifest pushed: its digest; a template sees the descriptor (`Digest`, `MediaType`, `Size`). */
export function renderPushed(format: ResultFormat, d: Descriptor): string {
  return renderResult(format, `${d.digest}\n`, { digest: d.digest, mediaType: d.mediaType, size: d.size }, () => descriptorData(d));
}

/** A blob uploaded: its digest; a template sees `Digest`, `Size`. */
export function renderBlobPut(format: ResultFormat, r: { digest: string; size: number }): string {
  return renderResult(format, `${r.digest}\n`, r, () => record({ Digest: r.digest, Size: r.size }, 'Blob'));
}

/** A blob deleted: `Deleted: DIGEST`; a template sees `Repository`, `Digest`. */
export function renderBlobDeleted(format: ResultFormat, r: { repository: string; digest: string }): string {
  return renderResult(format, `Deleted: ${r.digest}\n`, r, () => record({ Repository: r.repository, Digest: r.digest }, 'BlobDelete'));
}

/** What delete and manifest delete removed: one tag, or a manifest with the tags that pointed at it. */
export interface Removed {
  kind: 'tag' | 'manifest';
  /** `registry/repository` */
  repository: string;
  digest: string;
  /** The tags that went: the one untagged, or those of the manifest deleted. */
  tags: string[];
  /** How the registry was made to forget a tag (untag's method); '' for a manifest. */
  method: string;
}

/**
 * `Untagged: REPO:TAG` for each tag that went, then `Deleted: DIGEST` when the manifest went too; `json` as given; a
 * template sees `Kind`, `Name` (`REPO:TAG` or `REPO@DIGEST`), `Digest`, `Tags`, `Method`.
 */
export function renderRemoved(format: ResultFormat, r: Removed, json: unknown): string {
  const untagged = r.tags.map((t) => `Untagged: ${terminalSafe(`${r.repository}:${t}`)}\n`).join('');
  const text = r.kind === 'manifest' ? `${untagged}Deleted: ${r.digest}\n` : untagged;
  const name = r.kind === 'manifest' ? `${r.repository}@${r.digest}` : `${r.repository}:${r.tags[0] ?? ''}`;
  return renderResult(format, text, json, () => record({ Kind: r.kind, Name: name, Digest: r.digest, Tags: r.tags, Method: r.method }, 'Delete'));
}

/** An artifact attached: its digest; a template sees `Digest`, `Subject` (a descriptor). */
export function renderAttached(format: ResultFormat, r: { digest: string; subject: Descriptor }): string {
  return renderResult(format, `${r.digest}\n`, r, () => record({ Digest: r.digest, Subject: descriptorData(r.subject) }, 'Attach'));
}

/** An index written: its digest; a template sees `Name`, `Digest`, `MediaType`, `Manifests` (descriptors). */
export function renderIndex(format: ResultFormat, r: { name: string; digest: string; mediaType: string; manifests: Descriptor[] }): string {
  const data = () => record({ Name: r.name, Digest: r.digest, MediaType: r.mediaType, Manifests: r.manifests.map(descriptorData) }, 'Index');
  return renderResult(format, `${r.digest}\n`, r, data);
}

/** `Login Succeeded`; a template sees `Registry`, `Location`, `Plaintext`. */
export function renderLogin(format: ResultFormat, r: { registry: string; location: string; plaintext: boolean }): string {
  return renderResult(format, 'Login Succeeded\n', r, () => record({ Registry: r.registry, Location: r.location, Plaintext: r.plaintext }, 'Login'));
}

/** `Removing login credentials for REGISTRY` (nothing when there were none); a template sees `Registry`, `Removed`. */
export function renderLogout(format: ResultFormat, r: { registry: string; removed: boolean }): string {
  const text = r.removed ? `Removing login credentials for ${r.registry}\n` : '';
  return renderResult(format, text, r, () => record({ Registry: r.registry, Removed: r.removed }, 'Logout'));
}

/** A pull: docker's three lines; a template sees `Name`, `Digest`, `UpToDate`. */
export function renderPulled(format: ResultFormat, r: { name: string; digest: string; upToDate: boolean }, quiet: boolean): string {
  const text = quiet ? `${r.name}\n` : `Digest: ${r.digest}\nStatus: ${r.upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${r.name}\n${r.name}\n`;
  return renderResult(format, text, r, () => record({ Name: r.name, Digest: r.digest, UpToDate: r.upToDate }, 'Pull'));
}

/** A push: `NAME: digest: D size: N`; a template sees `Name`, `Digest`, `Size`. */
export function renderPushedImage(format: ResultFormat, r: { name: string; digest: string; size: number }, quiet: boolean): string {
  const text = quiet ? `${r.name}\n` : `${r.name}: digest: ${r.digest} size: ${r.size}\n`;
  return renderResult(format, text, r, () => record({ Name: r.name, Digest: r.digest, Size: r.size }, 'Push'));
}

/** A load: docker's `Loaded image:` lines; a template sees `Names`, `Unnamed` (digests of images without a name). */
export function renderLoaded(format: ResultFormat, r: { names: string[]; unnamed: string[] }, familiar: (name: string) => string): string {
  const text = r.names.map((n) => `Loaded image: ${familiar(n)}\n`).join('') + r.unnamed.map((d) => `Loaded image ID: ${d}\n`).join('');
  return renderResult(format, text, r, () => record({ Names: r.names, Unnamed: r.unnamed }, 'Load'));
}

/** One image removed: docker's `Untagged:` / `Deleted:` lines; a template sees `Untagged`, `Deleted`. */
export function renderRemovedImage(format: ResultFormat, r: { untagged: string[]; deleted: string[] }): string {
  const text = r.untagged.map((n) => `Untagged: ${n}\n`).join('') + r.deleted.map((d) => `Deleted: ${d}\n`).join('');
  return renderResult(format, text, r, () => record({ Untagged: r.untagged, Deleted: r.deleted }, 'Remove'));
}

/** `regctl version`: the `--version` lines; a template sees `Version`, `Commit`, `Node`, `Platform`. */
export function renderVersion(format: ResultFormat, v: { version: string; commit: string; node: string; platform: string }, text: string): string {
  return renderResult(format, text, v, () => record({ Version: v.version, Commit: v.commit, Node: v.node, Platform: v.platform }, 'Version'));
}

/** A registry tag removed (`tag rm`): `Untagged: NAME` (`Would untag: NAME (DIGEST)`); a template sees `Name`, `Digest`. */
export function renderUntagged(format: ResultFormat, r: { name: string; digest: string }, dryRun: boolean): string {
  const text = dryRun ? `Would untag: ${r.name} (${r.digest})\n` : `Untagged: ${r.name}\n`;
  return renderResult(format, text, { name: r.name, digest: r.digest }, () => record({ Name: r.name, Digest: r.digest }, 'Untag'));
}

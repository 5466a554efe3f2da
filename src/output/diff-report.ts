// What diff and validate print: their text, and their result under Go-style names for templates.
import type { FieldChange, FileChange, FileInfo, ImageDiff, LayerChange } from '../ops/diff.js';
import type { ValidateResult } from '../ops/validate.js';
import { record } from '../template/template.js';
import { humanSize } from './bytes.js';
import { terminalSafe } from './terminal.js';

/**
 * A diff as text, nothing when the images are equal (as diff(1)): `---`/`+++` lines naming the images, then each
 * section that differs — `manifest:`, `config:`, `layers:` (every layer: `=` same, `+` added, `-` removed) and
 * `files:` — with `+` for what only the second has, `-` for what only the first has, `~` for what both have, unlike.
 */
export function renderDiff(d: ImageDiff): string {
  if (d.equal) return '';
  const [a, b] = d.images;
  const lines = [`--- ${terminalSafe(a.image)} ${a.digest}`, `+++ ${terminalSafe(b.image)} ${b.digest}`];
  const section = (title: string, body: string[]) => {
    if (body.length) lines.push(`${title}:`, ...body.map((l) => `  ${l}`));
  };
  section('manifest', d.manifest.map(fieldLine));
  section('config', d.config.map(fieldLine));
  section('layers', d.layers.some((l) => l.status !== 'same') ? d.layers.map(layerLine) : []);
  section('files', (d.files ?? []).map(fileLine));
  return `${lines.join('\n')}\n`;
}

function fieldLine(c: FieldChange): string {
  const field = terminalSafe(c.field);
  if (!('before' in c)) return `+ ${field}: ${value(c.after)}`;
  if (!('after' in c)) return `- ${field}: ${value(c.before)}`;
  return `~ ${field}: ${value(c.before)} -> ${value(c.after)}`;
}

const value = (v: unknown) => terminalSafe(JSON.stringify(v) ?? '');

function layerLine(l: LayerChange): string {
  const mark = l.status === 'same' ? '=' : l.status === 'added' ? '+' : '-';
  return `${mark} ${l.digest} ${humanSize(l.size)}`;
}

function fileLine(f: FileChange): string {
  const path = terminalSafe(f.path);
  if (f.status === 'added') return `+ ${path} (${fileSummary(f.after!)})`;
  if (f.status === 'removed') return `- ${path} (${fileSummary(f.before!)})`;
  const fields = (f.fields ?? []).map((k) => `${k} ${fileField(f.before!, k)} -> ${fileField(f.after!, k)}`);
  return `~ ${path}: ${fields.join(', ')}`;
}

/** `file 0644 0:0 12 bytes sha256:…`, `symlink -> target`, `dir 0755 0:0`. */
function fileSummary(i: FileInfo): string {
  const parts = [i.type, octal(i.mode), `${i.uid}:${i.gid}`];
  if (i.type === 'file') parts.push(`${i.size} bytes`, i.digest ?? '');
  if (i.linkTarget !== undefined) parts.push(`-> ${terminalSafe(i.linkTarget)}`);
  return parts.filter(Boolean).join(' ');
}

function fileField(i: FileInfo, field: string): string {
  const v = (i as unknown as Record<string, unknown>)[field];
  if (v === undefined) return '(none)';
  if (field === 'mode') return octal(v as number);
  return typeof v === 'string' ? terminalSafe(v) : String(v);
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

/** A diff for templates: `Images` (`Image`, `Digest`, `MediaType`, `Index`), `Equal`, `Manifest`, `Config` (`Field`, `Before`, `After`), `Layers`, `Files`. */
export function diffData(d: ImageDiff): object {
  const field = (c: FieldChange) => record({ Field: c.field, Before: c.before ?? null, After: c.after ?? null }, 'FieldChange');
  const info = (i: FileInfo | undefined) =>
    i ? record({ Type: i.type, Size: i.size, Mode: i.mode, Uid: i.uid, Gid: i.gid, Digest: i.digest ?? '', LinkTarget: i.linkTarget ?? '' }, 'FileInfo') : null;
  return record({
    Images: d.images.map((s) => record({ Image: s.image, Digest: s.digest, MediaType: s.mediaType, Index: s.index ?? '' }, 'DiffSide')),
    Equal: d.equal,
    Manifest: d.manifest.map(field),
    Config: d.config.map(field),
    Layers: d.layers.map((l) => record({ Status: l.status, Digest: l.digest, Size: l.size, MediaType: l.mediaType }, 'LayerChange')),
    Files: (d.files ?? []).map((f) => record({ Path: f.path, Status: f.status, Before: info(f.before), After: info(f.after), Fields: f.fields ?? [] }, 'FileChange')),
  }, 'ImageDiff');
}

/** `IMAGE: valid (N manifests, N blobs, SIZE read)`, and a line for each thing left unchecked. */
export function renderValidated(r: ValidateResult): string {
  const what = r.fast ? 'present at their size' : 'read';
  const lines = [`${terminalSafe(r.image)}: valid (${r.manifests} manifest${r.manifests === 1 ? '' : 's'}, ${r.blobs} blob${r.blobs === 1 ? '' : 's'}, ${humanSize(r.bytes)} ${what})`];
  for (const s of r.skipped) lines.push(`  not checked: ${s.digest}: ${terminalSafe(s.reason)}`);
  return `${lines.join('\n')}\n`;
}

/** A validation for templates: `Image`, `Digest`, `Manifests`, `Blobs`, `Bytes`, `Fast`, `Skipped` (`Digest`, `Reason`). */
export function validateData(r: ValidateResult): object {
  return record({
    Image: r.image, Digest: r.digest, Manifests: r.manifests, Blobs: r.blobs, Bytes: r.bytes, Fast: r.fast,
    Skipped: r.skipped.map((s) => record({ Digest: s.digest, Reason: s.reason }, 'Skipped')),
  }, 'Validate');
}

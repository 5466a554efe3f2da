import { readSmallBlob, resolveImage } from '../content/resolve.js';
import type { SourceTarget } from '../content/target.js';
import { UsageError } from '../errors.js';
import { flatFiles, type FileInfo } from '../image/flat-files.js';
import type { ImageConfig } from '../oci/image-config.js';
import { parseJson } from '../oci/json.js';
import type { Descriptor, ImageManifest } from '../oci/manifest.js';
import { formatPlatform, type Platform } from '../oci/platform.js';
import type { OpsContext } from './context.js';
import { sideContext, type WithCredentials } from './credentials.js';
import { locationRegistries, withSource } from './transports/index.js';

export type { FileInfo, FileType } from '../image/flat-files.js';

export interface DiffOptions extends WithCredentials {
  /** The image of this platform out of an index, in both (default: the context's, the host's; a single image is compared whatever its platform). */
  platform?: Platform | undefined;
  /** Also compare the two flattened filesystems, path by path (reads every layer of both). */
  files?: boolean;
}

/** One side of a diff: the image as given and the image manifest compared. */
export interface DiffSide {
  image: string;
  /** The image manifest compared (the platform's, when the image is an index). */
  digest: string;
  mediaType: string;
  /** When the image is an index: the index's digest. */
  index?: string;
}

/**
 * One field that differs: `field` names it (`digest`, `labels.tier`, `env.PATH`, `entrypoint`, `history[2]`, …);
 * `before` is the first image's value, `after` the second's; one of them is absent when only one image has it.
 */
export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
}

/** A layer of either image: in both (`same`, in order), only the second's (`added`) or only the first's (`removed`). */
export interface LayerChange {
  status: 'same' | 'added' | 'removed';
  digest: string;
  size: number;
  mediaType: string;
}

/** A path whose flattened filesystems differ: only in the second (`added`), only in the first (`removed`), or both, unlike (`changed`, `fields` saying how). */
export interface FileChange {
  path: string;
  status: 'added' | 'removed' | 'changed';
  before?: FileInfo;
  after?: FileInfo;
  /** For `changed`: which of type, size, mode, uid, gid, digest, linkTarget differ. */
  fields?: string[];
}

/** What differs between two images (container-diff, regclient manifest diff / blob diff-config). */
export interface ImageDiff {
  images: [DiffSide, DiffSide];
  /** Nothing below differs. */
  equal: boolean;
  /** The image manifests: media type, digest, config descriptor, artifact type, annotations. */
  manifest: FieldChange[];
  /** The configs: platform, created, user, env, entrypoint, cmd, working dir, exposed ports, volumes, labels, stop signal, history. */
  config: FieldChange[];
  /** Every layer of both images, in order: the same, added and removed ones. */
  layers: LayerChange[];
  /** With `files`: the paths that differ, sorted. */
  files?: FileChange[];
}

interface Side {
  side: DiffSide;
  manifest: ImageManifest;
  config: ImageConfig;
  target: SourceTarget;
}

/**
 * What differs between two images of any transports (a registry image against its `oci:` copy): their image
 * manifests, configs and layers and, with `files`, their flattened filesystems (each read once, streamed; held as
 * one entry per path). `equal` when nothing does.
 */
export async function diffImages(ctx: OpsContext, image1: string, image2: string, opts: DiffOptions = {}): Promise<ImageDiff> {
  ctx = await sideContext(ctx, [...locationRegistries(image1), ...locationRegistries(image2)], opts.credentials);
  return withSource(ctx, image1, ({ target: a }) => withSource(ctx, image2, async ({ target: b }) => {
    const one = await readSide(ctx, a, image1, opts);
    const two = await readSide(ctx, b, image2, opts);
    const manifest = manifestChanges(one, two);
    const config = configChanges(one.config, two.config);
    const layers = layerChanges(one.manifest.layers, two.manifest.layers);
    const files = opts.files ? await fileChanges(ctx, one, two) : undefined;
    const equal = manifest.length === 0 && config.length === 0 && layers.every((l) => l.status === 'same') && (files?.length ?? 0) === 0;
    return { images: [one.side, two.side], equal, manifest, config, layers, ...(files ? { files } : {}) };
  }));
}

async function readSide(ctx: OpsContext, target: SourceTarget, image: string, opts: DiffOptions): Promise<Side> {
  const platform = opts.platform ?? ctx.platform;
  const r = await resolveImage(target, { platform, strict: opts.platform !== undefined });
  if (r.doc.kind !== 'image') throw new UsageError(`${target.description} is an index with no image manifest to compare`);
  const raw = await readSmallBlob(target, r.doc.config);
  let config: ImageConfig = {};
  try {
    const parsed = parseJson(raw, `${target.description}: config`);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) config = parsed as ImageConfig;
  } catch {
    // an artifact's config need not be JSON: compared by its descriptor only
  }
  const side: DiffSide = { image, digest: r.top.digest, mediaType: r.doc.mediaType, ...(r.source.digest !== r.top.digest ? { index: r.source.digest } : {}) };
  return { side, manifest: r.doc, config, target };
}

function manifestChanges(a: Side, b: Side): FieldChange[] {
  const out: FieldChange[] = [];
  const value = (field: string, before: unknown, after: unknown) => {
    if (!same(before, after)) out.push(change(field, before, after));
  };
  value('mediaType', a.manifest.mediaType, b.manifest.mediaType);
  value('digest', a.side.digest, b.side.digest);
  value('config.mediaType', a.manifest.config.mediaType, b.manifest.config.mediaType);
  value('config.digest', a.manifest.config.digest, b.manifest.config.digest);
  value('config.size', a.manifest.config.size, b.manifest.config.size);
  value('artifactType', a.manifest.artifactType, b.manifest.artifactType);
  out.push(...keyed('annotations', a.manifest.annotations, b.manifest.annotations));
  return out;
}

function configChanges(a: ImageConfig, b: ImageConfig): FieldChange[] {
  const out: FieldChange[] = [];
  const value = (field: string, before: unknown, after: unknown) => {
    if (!same(before, after)) out.push(change(field, before, after));
  };
  const ca = a.config ?? {};
  const cb = b.config ?? {};
  value('platform', platformOf(a), platformOf(b));
  value('created', a.created, b.created);
  value('author', a.author, b.author);
  value('user', emptyAsNone(ca.User), emptyAsNone(cb.User));
  out.push(...keyed('env', envMap(ca.Env), envMap(cb.Env)));
  value('entrypoint', ca.Entrypoint ?? undefined, cb.Entrypoint ?? undefined);
  value('cmd', ca.Cmd ?? undefined, cb.Cmd ?? undefined);
  value('workingDir', emptyAsNone(ca.WorkingDir), emptyAsNone(cb.WorkingDir));
  out.push(...keyed('exposedPorts', presence(ca.ExposedPorts), presence(cb.ExposedPorts)));
  out.push(...keyed('volumes', presence(ca.Volumes), presence(cb.Volumes)));
  out.push(...keyed('labels', ca.Labels ?? undefined, cb.Labels ?? undefined));
  value('stopSignal', emptyAsNone(ca.StopSignal), emptyAsNone(cb.StopSignal));
  out.push(...sequenceChanges('history', Array.isArray(a.history) ? a.history : [], Array.isArray(b.history) ? b.history : []));
  return out;
}

/** Every layer of both, in order: a longest common subsequence of digests is `same`, the rest removed or added where they stand. */
function layerChanges(a: Descriptor[], b: Descriptor[]): LayerChange[] {
  const view = (d: Descriptor, status: LayerChange['status']): LayerChange => ({ status, digest: d.digest, size: d.size, mediaType: d.mediaType });
  return align(a.map((d) => d.digest), b.map((d) => d.digest)).map(([i, j]) =>
    i !== undefined && j !== undefined ? view(a[i]!, 'same') : i !== undefined ? view(a[i]!, 'removed') : view(b[j!]!, 'added'));
}

/** History entries: those of only one image, by their place in it (`history[3]`). */
function sequenceChanges(field: string, a: unknown[], b: unknown[]): FieldChange[] {
  const out: FieldChange[] = [];
  for (const [i, j] of align(a.map(canonical), b.map(canonical))) {
    if (i !== undefined && j === undefined) out.push({ field: `${field}[${i}]`, before: a[i] });
    else if (j !== undefined && i === undefined) out.push({ field: `${field}[${j}]`, after: b[j] });
  }
  return out;
}

/**
 * The two sequences merged along a longest common subsequence: pairs `[i, j]` of equal items, `[i, undefined]`
 * of the first's alone, `[undefined, j]` of the second's alone, in order.
 */
function align(a: string[], b: string[]): Array<[number | undefined, number | undefined]> {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const out: Array<[number | undefined, number | undefined]> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) out.push([i++, j++]);
    else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) out.push([i++, undefined]);
    else out.push([undefined, j++]);
  }
  return out;
}

/** The flattened filesystems compared path by path (identical layer lists make identical filesystems: nothing read). */
async function fileChanges(ctx: OpsContext, a: Side, b: Side): Promise<FileChange[]> {
  const digests = (s: Side) => s.manifest.layers.map((l) => l.digest).join(' ');
  if (digests(a) === digests(b)) return [];
  for (const side of [a, b]) {
    const other = side.manifest.layers.find((l) => !isTarLayer(l.mediaType));
    if (other) throw new UsageError(`${side.target.description}: layer ${other.digest} is ${other.mediaType}, not a filesystem layer: --files compares images' filesystems`, { option: 'files' });
  }
  const signal = ctx.transport.signal;
  const before = await flatFiles(a.target, a.manifest.layers, signal);
  const after = await flatFiles(b.target, b.manifest.layers, signal);
  const out: FileChange[] = [];
  for (const [path, x] of before) {
    const y = after.get(path);
    if (!y) out.push({ path: `/${path}`, status: 'removed', before: x });
    else {
      const fields = FILE_FIELDS.filter((f) => x[f] !== y[f]);
      if (fields.length) out.push({ path: `/${path}`, status: 'changed', before: x, after: y, fields });
    }
  }
  for (const [path, y] of after) if (!before.has(path)) out.push({ path: `/${path}`, status: 'added', after: y });
  return out.sort((p, q) => (p.path < q.path ? -1 : p.path > q.path ? 1 : 0));
}

/** An image layer (a tar, plain or compressed, OCI's or Docker's), not an artifact's file. */
const isTarLayer = (mediaType: string) => /(^|[.+/-])tar([.+]|$)|rootfs\.diff/.test(mediaType);

const FILE_FIELDS = ['type', 'size', 'mode', 'uid', 'gid', 'digest', 'linkTarget'] as const;

/** Changes of a map of values (labels, env, annotations), key by key: `field.KEY`. */
function keyed(field: string, a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): FieldChange[] {
  const out: FieldChange[] = [];
  const x = a ?? {};
  const y = b ?? {};
  for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
    const before = Object.hasOwn(x, key) ? x[key] : undefined;
    const after = Object.hasOwn(y, key) ? y[key] : undefined;
    if (!same(before, after)) out.push(change(`${field}.${key}`, before, after));
  }
  return out;
}

function change(field: string, before: unknown, after: unknown): FieldChange {
  return { field, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) };
}

/** `NAME=value` lines as a map (a line without `=` is a name with an empty value). */
function envMap(env: unknown): Record<string, string> | undefined {
  if (!Array.isArray(env)) return undefined;
  const out: Record<string, string> = {};
  for (const line of env) {
    if (typeof line !== 'string') continue;
    const eq = line.indexOf('=');
    out[eq < 0 ? line : line.slice(0, eq)] = eq < 0 ? '' : line.slice(eq + 1);
  }
  return out;
}

/** `{ "8080/tcp": {} }` as `{ "8080/tcp": true }`: what matters is the key. */
function presence(set: unknown): Record<string, boolean> | undefined {
  if (!set || typeof set !== 'object') return undefined;
  return Object.fromEntries(Object.keys(set).map((k) => [k, true]));
}

function platformOf(c: ImageConfig): string | undefined {
  if (typeof c.os !== 'string' || typeof c.architecture !== 'string') return undefined;
  const p = formatPlatform({ os: c.os, architecture: c.architecture, ...(typeof c.variant === 'string' ? { variant: c.variant } : {}) });
  return typeof c['os.version'] === 'string' ? `${p} (${c['os.version']})` : p;
}

const emptyAsNone = (v: unknown) => (v === '' || v === null ? undefined : v);

function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with object keys sorted: equal values, equal text. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : x) ?? 'undefined';
}

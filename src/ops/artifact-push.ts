import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { writeLayer } from '../image/layer-writer.js';
import { addEntry } from '../image/layer-input.js';
import { copyImage } from '../content/copy.js';
import type { SourceTarget } from '../content/target.js';
import { writeTo } from '../content/target.js';
import { NotFoundError, UsageError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import { parseJson } from '../oci/json.js';
import type { Descriptor } from '../oci/manifest.js';
import { OCI_EMPTY, OCI_LAYER, OCI_LAYER_GZIP, OCI_MANIFEST } from '../oci/media-types.js';
import { parseReference } from '../ref/parse.js';
import { abortable, stopped } from '../util/abort.js';
import {
  checkMediaType, CONFIG_KEY, CREATED, fileTitle, MANIFEST_KEY, ORAS_CONTENT_DIGEST, ORAS_UNPACK, safeTitle, TITLE, UNKNOWN_ARTIFACT, UNKNOWN_CONFIG,
} from '../oci/artifact-layout.js';
import type { OpsContext } from './context.js';
import { copySession } from './copy-session.js';
import { sideContext, type CredentialOptions } from './credentials.js';
import { withScratch } from './scratch.js';
import { locationRegistries, parseLocation, type ImageLocation } from './transports/index.js';
import { splitPathAndRef } from './transports/oci.js';

/**
 * A file to push as a layer: a path (its title is the path as given, cleaned, as oras titles it), a path with its
 * media type and/or title, or a stream with the title it is pushed under. A directory is packed as tar+gzip.
 */
export type ArtifactFile = string | { path: string; mediaType?: string; title?: string } | { stream: AsyncIterable<Uint8Array>; title: string; mediaType?: string };

export interface ArtifactPushOptions {
  /** The manifest's `artifactType`; default `application/vnd.unknown.artifact.v1` (oras's) without `config`. */
  artifactType?: string;
  /** Manifest annotations (`org.opencontainers.image.created` is added unless given). */
  annotations?: Record<string, string>;
  /** oras's annotation file: a JSON object of annotations keyed by a file's path or title, `$manifest` or `$config`. */
  annotationFile?: string;
  /** A file pushed as the manifest's config instead of the empty one. */
  config?: string;
  /** The config's media type; default `application/vnd.unknown.config.v1+json` (oras's). */
  configMediaType?: string;
  /** An image of the same repository (or OCI layout) the artifact refers to (`subject`): it is listed among its referrers. */
  subject?: string;
  /** The creation time recorded (`org.opencontainers.image.created`); default now. */
  now?: Date;
  credentials?: CredentialOptions | undefined;
}

export interface ArtifactPushResult {
  /** Where it was pushed, as given. */
  reference: string;
  /** The tag (or layout ref name) it got; none when pushed by digest only. */
  tag?: string;
  digest: string;
  mediaType: string;
  size: number;
  artifactType?: string;
  /** The image it refers to, when pushed with a subject. */
  subject?: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
}

/** A blob of the artifact: its descriptor and how to read it (again) for the push. */
interface Blob {
  desc: Descriptor;
  open: () => Readable;
}

const EMPTY = Buffer.from('{}');
const EMPTY_DESC = { mediaType: OCI_EMPTY, digest: sha256Digest(EMPTY), size: EMPTY.length };

/**
 * Pushes files as an OCI 1.1 artifact in oras's layout (oras push): one layer per file titled with its path, a
 * directory packed as tar+gzip with oras's unpack annotations, the empty config unless `config` is given, and
 * `artifactType`. To any location a copy writes to (a registry, an OCI layout, an oci-archive, the local store), under
 * its tag (default `latest`; by digest only when `subject` is given and the reference names no tag).
 */
export async function artifactPush(ctx: OpsContext, reference: string, files: readonly ArtifactFile[], opts: ArtifactPushOptions = {}): Promise<ArtifactPushResult> {
  const location = parseLocation(reference);
  const digestOnly = location.digestOnly === true || (opts.subject !== undefined && !namesTag(location));
  return pushArtifact(ctx, location, files, opts, digestOnly);
}

/**
 * Pushes files as an artifact referring to `image`, by digest, into the image's own repository or layout (oras
 * attach): `artifactPush` with the image as subject.
 */
export async function attachArtifact(ctx: OpsContext, image: string, files: readonly ArtifactFile[], opts: ArtifactPushOptions & { artifactType: string }): Promise<ArtifactPushResult> {
  return pushArtifact(ctx, parseLocation(image), files, { ...opts, subject: image }, true);
}

async function pushArtifact(ctx: OpsContext, location: ImageLocation, files: readonly ArtifactFile[], opts: ArtifactPushOptions, digestOnly: boolean): Promise<ArtifactPushResult> {
  const reference = location.text;
  if (location.singlePlatform) {
    throw new UsageError(`cannot push an artifact to ${reference}: it holds images docker can run`, { hint: 'push to a registry, oci:DIR[:TAG], oci-archive:FILE[:TAG] or local:IMAGE' });
  }
  if (opts.artifactType !== undefined) checkMediaType(opts.artifactType, 'option artifactType', 'artifactType');
  if (opts.configMediaType !== undefined) checkMediaType(opts.configMediaType, 'option configMediaType', 'configMediaType');
  if (opts.configMediaType !== undefined && opts.config === undefined) throw new UsageError('option configMediaType: it goes with option config', { option: 'configMediaType' });
  const inputs = files.map(fileInput);
  const annotationFile = opts.annotationFile === undefined ? {} : await readAnnotationFile(opts.annotationFile, inputs);
  for (const input of inputs) {
    const own = annotationFile[input.key] ?? (input.title ? annotationFile[input.title] : undefined);
    if (own) input.annotations = own;
    // the annotation file may rename a file (oras): a directory is then packed under its new title
    if (own?.[TITLE] !== undefined) input.title = own[TITLE];
  }
  const titles = new Set<string>();
  for (const input of inputs) {
    const title = input.title;
    try {
      safeTitle(title, 'a file pushed');
    } catch (err) {
      // a title pull would refuse: no artifact nobody can pull
      throw new UsageError(err instanceof Error ? err.message : String(err), { option: 'files' });
    }
    if (titles.has(title)) throw new UsageError(`two files are titled ${JSON.stringify(title)}: each layer of an artifact needs its own title`);
    titles.add(title);
  }
  ctx = await sideContext(ctx, [...new Set([...locationRegistries(reference), ...(opts.subject ? locationRegistries(opts.subject) : [])])], opts.credentials);
  const subject = opts.subject === undefined ? undefined : await resolveSubject(ctx, location, opts.subject);
  const signal = ctx.transport.signal;
  return withScratch(ctx, async (scratch) => {
    const layers: Blob[] = [];
    for (const input of inputs) layers.push(await layerBlob(input, scratch, signal));
    const configBlob = opts.config === undefined ? undefined : await fileBlob(opts.config, opts.configMediaType ?? UNKNOWN_CONFIG);
    const config = configBlob
      ? { ...configBlob.desc, ...(annotationFile[CONFIG_KEY] ? { annotations: sorted(annotationFile[CONFIG_KEY]) } : {}) }
      : { ...EMPTY_DESC, ...(annotationFile[CONFIG_KEY] ? { annotations: sorted(annotationFile[CONFIG_KEY]) } : {}), data: EMPTY.toString('base64') };
    const artifactType = opts.artifactType ?? (configBlob ? undefined : UNKNOWN_ARTIFACT);
    const given = { ...annotationFile[MANIFEST_KEY], ...opts.annotations };
    const annotations = sorted({ ...(given[CREATED] === undefined ? { [CREATED]: rfc3339Seconds(opts.now ?? new Date()) } : {}), ...given });
    // oras's field order (Go's struct order), so that the bytes match what oras pushes for the same files
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      ...(artifactType ? { artifactType } : {}),
      config,
      layers: layers.length ? layers.map((l) => l.desc) : [{ ...EMPTY_DESC, data: EMPTY.toString('base64') }],
      ...(subject ? { subject } : {}),
      annotations,
    }));
    const desc = { mediaType: OCI_MANIFEST, digest: sha256Digest(manifest), size: manifest.length };
    const blobs = new Map<string, Blob>();
    for (const b of [...layers, configBlob ?? { desc: EMPTY_DESC, open: () => Readable.from([EMPTY]) }]) blobs.set(b.desc.digest, b);
    const source = artifactSource(reference, desc, manifest, blobs);
    const dst = await location.openDestination(ctx, digestOnly ? { sourceDigestOnly: true } : {});
    const tag = digestOnly ? undefined : dst.name;
    let done = false;
    try {
      await writeTo(dst.target, (target) => copyImage(source, target, { session: copySession(ctx), signal, ...(tag ? { tag } : {}) }));
      done = true;
    } finally {
      if (!done) await dst.abort?.().catch(() => undefined);
      await dst.close();
    }
    return {
      reference,
      ...(tag ? { tag } : {}),
      ...desc,
      ...(artifactType ? { artifactType } : {}),
      ...(subject ? { subject } : {}),
      config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
      layers: layers.map((l) => l.desc),
    };
  });
}

/** The artifact as a copy source: its manifest and its blobs (files read again when pushed). */
function artifactSource(description: string, desc: Descriptor, manifest: Buffer, blobs: Map<string, Blob>): SourceTarget {
  return {
    description,
    resolve: async () => desc,
    head: async () => desc,
    fetchManifest: async () => manifest,
    async fetchBlob(d: Descriptor) {
      const blob = blobs.get(d.digest);
      if (!blob) throw new NotFoundError(`${description}: no blob ${d.digest}`, { code: 'ERR_BLOB_NOT_FOUND' });
      return { stream: blob.open(), resumed: false };
    },
  };
}

/** Does the location name a tag (or a layout ref name) of its own? */
function namesTag(location: ImageLocation): boolean {
  const text = location.text;
  switch (location.transport.name) {
    case 'docker':
      return parseReference(text.replace(/^docker:\/\//, '')).tag !== undefined;
    case 'oci':
    case 'oci-archive':
      return splitPathAndRef(text.slice(text.indexOf(':') + 1), text, location.transport.usage).ref !== undefined;
    default:
      return true;
  }
}

/** The subject's descriptor; it must live where the artifact goes (referrers are listed per repository or layout). */
async function resolveSubject(ctx: OpsContext, location: ImageLocation, subject: string): Promise<Descriptor> {
  const other = parseLocation(subject);
  if (other.text !== location.text && !sameRepository(location, other)) {
    throw new UsageError(`the subject ${subject} is not in the repository of ${location.text}: an artifact is listed only among the referrers of its own repository`, { option: 'subject' });
  }
  const src = await other.openSource(ctx);
  try {
    const d = await src.target.resolve();
    return { mediaType: d.mediaType, digest: d.digest, size: d.size };
  } finally {
    await src.close();
  }
}

function sameRepository(a: ImageLocation, b: ImageLocation): boolean {
  if (a.transport !== b.transport) return false;
  if (a.transport.name === 'docker') {
    const [x, y] = [a.text, b.text].map((t) => parseReference(t.replace(/^docker:\/\//, '')));
    return x!.registry === y!.registry && x!.repository === y!.repository;
  }
  if (a.transport.name === 'oci' || a.transport.name === 'oci-archive') {
    const [x, y] = [a.text, b.text].map((t) => splitPathAndRef(t.slice(t.indexOf(':') + 1), t, a.transport.usage).path);
    return x === y;
  }
  return true;
}

interface FileInput {
  /** How the annotation file names it: the path as given (oras's key), or the stream's title. */
  key: string;
  title: string;
  mediaType?: string;
  path?: string;
  stream?: AsyncIterable<Uint8Array>;
  annotations?: Record<string, string>;
}

function fileInput(file: ArtifactFile): FileInput {
  if (typeof file === 'string') return { key: file, title: fileTitle(file), path: file };
  if ('stream' in file) {
    if (!file.title) throw new UsageError('a file read from a stream needs a title (the name it is pulled as)', { option: 'files' });
    return { key: file.title, title: file.title, stream: file.stream, ...(file.mediaType ? { mediaType: checkMediaType(file.mediaType, file.title, 'files') } : {}) };
  }
  return {
    key: file.path,
    title: file.title ?? fileTitle(file.path),
    path: file.path,
    ...(file.mediaType ? { mediaType: checkMediaType(file.mediaType, file.path, 'files') } : {}),
  };
}

/** oras's annotation file, every key naming a file pushed, `$manifest` or `$config`. */
async function readAnnotationFile(path: string, inputs: FileInput[]): Promise<Record<string, Record<string, string>>> {
  const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new NotFoundError(`${path}: no such file`, { code: 'ERR_FILE_NOT_FOUND' }) : err;
  });
  const doc = parseJson(bytes, `annotation file ${path}`);
  const want = 'a JSON object of objects of strings, keyed by a file, "$manifest" or "$config"';
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new UsageError(`annotation file ${path}: want ${want}`, { option: 'annotationFile' });
  const known = new Set([MANIFEST_KEY, CONFIG_KEY, ...inputs.flatMap((i) => [i.key, i.title])]);
  const out: Record<string, Record<string, string>> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
      throw new UsageError(`annotation file ${path}: "${key}": want ${want}`, { option: 'annotationFile' });
    }
    if (!known.has(key)) throw new UsageError(`annotation file ${path}: "${key}" is none of the files pushed, nor "$manifest" or "$config"`, { option: 'annotationFile' });
    out[key] = value as Record<string, string>;
  }
  return out;
}

/** A file, directory or stream as a layer descriptor with oras's annotations. */
async function layerBlob(input: FileInput, scratch: string, signal: AbortSignal | undefined): Promise<Blob> {
  let blob: Blob;
  let extra: Record<string, string> = {};
  if (input.stream) {
    blob = await spool(input.stream, scratch, input.mediaType ?? OCI_LAYER, signal);
  } else {
    const st = await stat(input.path!).catch(() => undefined);
    if (!st) throw new NotFoundError(`${input.path}: no such file or directory`, { code: 'ERR_FILE_NOT_FOUND' });
    if (st.isDirectory()) {
      const tar = pack();
      packDirectory(input.path!, input.title, tar, signal).then(() => tar.finalize(), (err: unknown) => tar.destroy(err as Error));
      const built = await writeLayer(tar as unknown as Readable, scratch, 'gzip', signal);
      blob = { desc: { mediaType: input.mediaType ?? OCI_LAYER_GZIP, digest: built.digest, size: built.size }, open: () => createReadStream(built.path) };
      extra = { [ORAS_CONTENT_DIGEST]: built.diffId, [ORAS_UNPACK]: 'true' };
    } else {
      blob = await fileBlob(input.path!, input.mediaType ?? OCI_LAYER);
    }
  }
  blob.desc.annotations = sorted({ ...extra, [TITLE]: input.title, ...input.annotations });
  return blob;
}

/** A regular file as a blob: its digest and size read from it (streamed). */
async function fileBlob(path: string, mediaType: string): Promise<Blob> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new NotFoundError(`${path}: no such file`, { code: 'ERR_FILE_NOT_FOUND' });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { desc: { mediaType, digest: `sha256:${hash.digest('hex')}`, size }, open: () => createReadStream(path) };
}

/** A stream (stdin) written to a scratch file as it is hashed: its size is known only at its end. */
async function spool(stream: AsyncIterable<Uint8Array>, scratch: string, mediaType: string, signal: AbortSignal | undefined): Promise<Blob> {
  const path = join(scratch, `stream-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(abortable(Readable.from(stream), signal), tap, createWriteStream(path));
  } catch (err) {
    throw stopped(err, signal);
  }
  return { desc: { mediaType, digest: `sha256:${hash.digest('hex')}`, size }, open: () => createReadStream(path) };
}

/**
 * A directory as oras tars it: every entry under `prefix` (the layer's title), the directory itself first, owners
 * 0:0 without names, symlinks kept, hard links as regular files, in sorted order; sockets, fifos and devices left out.
 */
async function packDirectory(dir: string, prefix: string, out: Pack, signal: AbortSignal | undefined): Promise<void> {
  const owner = { uid: 0, gid: 0, uname: '', gname: '' };
  const root = await lstat(dir);
  await addEntry(out, { name: `${prefix}/`, type: 'directory', mode: root.mode & 0o7777, mtime: root.mtime, ...owner });
  const walk = async (abs: string, rel: string): Promise<void> => {
    for (const name of (await readdir(abs)).sort()) {
      signal?.throwIfAborted();
      const path = join(abs, name);
      const inTar = `${rel}/${name}`;
      const st = await lstat(path);
      const header = { name: inTar, mode: st.mode & 0o7777, mtime: st.mtime, ...owner };
      if (st.isDirectory()) {
        await addEntry(out, { ...header, name: `${inTar}/`, type: 'directory' });
        await walk(path, inTar);
      } else if (st.isSymbolicLink()) {
        await addEntry(out, { ...header, type: 'symlink', linkname: await readlink(path) });
      } else if (st.isFile()) {
        await addEntry(out, { ...header, type: 'file', size: st.size }, abortable(createReadStream(path), signal));
      }
    }
  };
  await walk(dir, prefix);
}

/** Annotations in key order, as Go writes a map (so the manifest's bytes are oras's). */
function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** RFC 3339 in whole seconds, as oras stamps `org.opencontainers.image.created`. */
function rfc3339Seconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

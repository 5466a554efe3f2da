import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { lstat, mkdir, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join, relative as relativePath, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { archiveLimits, DEFAULT_EXPANSION_RATIO } from '../archive/extract.js';
import { readManifest, readSmallBlob } from '../content/resolve.js';
import type { SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import { ExitCode, IntegrityError, RegctlError, UsageError } from '../errors.js';
import { parseJson } from '../oci/json.js';
import type { Descriptor, ImageManifest } from '../oci/manifest.js';
import { baseMediaType, OCI_EMPTY } from '../oci/media-types.js';
import { abortable, stopped } from '../util/abort.js';
import { onInterrupt } from '../util/interrupt.js';
import { HELM_CHART, HELM_CONFIG, HELM_PROVENANCE, ORAS_CONTENT_DIGEST, ORAS_UNPACK, safeTitle, TITLE } from '../oci/artifact-layout.js';
import { unpackDirectory } from './artifact-unpack.js';
import type { OpsContext } from './context.js';
import type { CredentialOptions } from './credentials.js';
import { withSource } from './transports/index.js';

export interface ArtifactPullOptions {
  /** The directory files are written under (created when missing); default the current directory. */
  output?: string;
  /** Only the layers of these media types. */
  mediaTypes?: string[];
  /** Replace files (and unpacked directories) that exist; default: refuse before writing anything. */
  overwrite?: boolean;
  credentials?: CredentialOptions | undefined;
}

/** A file (or directory) written by artifactPull. */
export interface PulledFile {
  /** Its path under the output directory, with forward slashes. */
  path: string;
  /** The layer it came from. */
  digest: string;
  size: number;
  mediaType: string;
  /** A directory layer, unpacked. */
  unpacked: boolean;
}

export interface ArtifactPullResult {
  /** The artifact as given. */
  reference: string;
  /** Its manifest's digest. */
  digest: string;
  artifactType?: string;
  /** The output directory. */
  output: string;
  files: PulledFile[];
}

/** A layer and where it goes. */
interface Planned {
  layer: Descriptor;
  /** Under the output directory, forward slashes. */
  path: string;
  unpack: boolean;
}

/**
 * Writes an artifact's files under a directory (oras pull): each titled layer at its title, each verified against its
 * digest as it streams into a temp name beside it and renamed into place only when complete; directory layers
 * (oras's unpack mark) unpacked. A Helm chart is written as NAME-VERSION.tgz (its provenance as .tgz.prov), as `helm
 * pull` does; untitled layers as `sha256-HEX`. Every path is checked before anything is written: a title that is
 * absolute, has `..`, or reaches outside the directory through a symlink fails the pull (IntegrityError, exit 6), and
 * so, without `overwrite`, does a file already there (exit 1).
 */
export async function artifactPull(ctx: OpsContext, reference: string, opts: ArtifactPullOptions = {}): Promise<ArtifactPullResult> {
  const output = resolve(opts.output ?? '.');
  const wanted = opts.mediaTypes?.map(baseMediaType);
  const ratio = archiveLimits(ctx.env).maxExpansionRatio ?? DEFAULT_EXPANSION_RATIO;
  return withSource(ctx, reference, async ({ target }) => {
    const top = await target.resolve();
    const { doc } = await readManifest(target, top);
    if (doc.kind !== 'image') {
      throw new UsageError(`${reference} is an index: artifact pull takes one manifest`, { hint: 'name one of its manifests by digest (regctl manifest get shows them)' });
    }
    const plan = await planFiles(target, doc, reference, wanted);
    await checkPaths(output, plan, opts.overwrite === true, reference);
    const files: PulledFile[] = [];
    for (const p of plan) {
      await writeLayer(target, p, output, reference, ratio, ctx.transport.signal);
      files.push({ path: p.path, digest: p.layer.digest, size: p.layer.size, mediaType: p.layer.mediaType, unpacked: p.unpack });
    }
    return { reference, digest: top.digest, ...(doc.artifactType ? { artifactType: doc.artifactType } : {}), output, files };
  }, opts.credentials);
}

/** Where each layer goes (titles checked; duplicates of one blob once; the empty placeholder layer left out). */
async function planFiles(src: SourceTarget, doc: ImageManifest, reference: string, wanted: string[] | undefined): Promise<Planned[]> {
  const helm = baseMediaType(doc.config.mediaType) === HELM_CONFIG ? await helmName(src, doc.config, reference) : undefined;
  const plan: Planned[] = [];
  const byPath = new Map<string, Planned>();
  for (const layer of doc.layers) {
    const type = baseMediaType(layer.mediaType);
    if (type === OCI_EMPTY) continue;
    if (wanted && !wanted.includes(type)) continue;
    const title = layer.annotations?.[TITLE];
    const path = helm && type === HELM_CHART ? `${helm}.tgz`
      : helm && type === HELM_PROVENANCE ? `${helm}.tgz.prov`
        : title !== undefined ? safeTitle(title, `${reference}: layer ${layer.digest}`)
          : layer.digest.replace(':', '-');
    const seen = byPath.get(path);
    if (seen) {
      if (seen.layer.digest === layer.digest) continue;
      throw new IntegrityError(`${reference}: two layers are titled ${JSON.stringify(path)} (${seen.layer.digest}, ${layer.digest})`, { code: 'ERR_UNSAFE_PATH' });
    }
    const p = { layer, path, unpack: layer.annotations?.[ORAS_UNPACK] === 'true' };
    byPath.set(path, p);
    plan.push(p);
  }
  return plan;
}

/** NAME-VERSION from a Helm chart's config (Chart.yaml's fields), checked as a file name. */
async function helmName(src: SourceTarget, config: Descriptor, reference: string): Promise<string> {
  const doc = parseJson(await readSmallBlob(src, config), `${reference}: Helm chart config`) as { name?: unknown; version?: unknown } | null;
  const { name, version } = doc ?? {};
  if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) {
    throw new IntegrityError(`${reference}: the Helm chart's config has no name and version`, { code: 'ERR_CONFIG_INVALID' });
  }
  const file = `${name}-${version}`;
  if (file.includes('/')) throw new IntegrityError(`${reference}: refusing the Helm chart name ${JSON.stringify(file)}: not a file name`, { code: 'ERR_UNSAFE_PATH' });
  return safeTitle(file, `${reference}: Helm chart`);
}

/**
 * Before anything is written: every path stays inside the output directory once symlinks already there are
 * followed (a title `a/x` with `a` a symlink to /etc is refused), and none exists unless `overwrite`.
 */
async function checkPaths(output: string, plan: Planned[], overwrite: boolean, reference: string): Promise<void> {
  const root = await realpath(output).catch(() => undefined);
  if (root === undefined) return; // a directory that is not there yet holds no symlinks and no files
  for (const p of plan) {
    const path = join(output, ...p.path.split('/'));
    // the deepest ancestor that exists, followed through its symlinks, must be the output directory or inside it
    let ancestor = dirname(path);
    while (ancestor.length > output.length && !(await lstat(ancestor).then(() => true, () => false))) ancestor = dirname(ancestor);
    const real = await realpath(ancestor);
    const rel = relativePath(root, real);
    if (rel === '..' || rel.startsWith(`..${sep}`) || resolve(root, rel) !== real) {
      throw new IntegrityError(`${reference}: refusing the title ${JSON.stringify(p.path)}: it would be written outside ${output} (through the symlink ${ancestor})`, { code: 'ERR_UNSAFE_PATH' });
    }
    if (!overwrite && (await lstat(path).then(() => true, () => false))) {
      throw new RegctlError('ERR_FILE_EXISTS', `${path} exists: not overwritten (option overwrite replaces it)`, ExitCode.failure, { option: 'overwrite' });
    }
  }
}

/** One layer into place: streamed (verified) into a temp name beside its path, unpacked there if a directory, renamed. */
async function writeLayer(src: SourceTarget, p: Planned, output: string, reference: string, ratio: number, signal: AbortSignal | undefined): Promise<void> {
  const path = join(output, ...p.path.split('/'));
  const parent = dirname(path);
  await mkdir(parent, { recursive: true });
  const temp = join(parent, `.${p.path.split('/').pop()}.regctl-${randomBytes(6).toString('hex')}`);
  const forget = onInterrupt(() => rmSync(temp, { recursive: true, force: true }));
  const what = `${reference}: layer ${p.layer.digest} (${p.path})`;
  try {
    const { stream } = await src.fetchBlob(p.layer);
    const checked = abortable(verified(stream, p.layer, what), signal);
    if (p.unpack) {
      await mkdir(temp);
      await unpackDirectory(checked, temp, p.path, p.layer.annotations?.[ORAS_CONTENT_DIGEST], what, { compressedSize: p.layer.size, ratio }, signal);
      await rm(path, { recursive: true, force: true });
    } else {
      await pipeline(checked, createWriteStream(temp, { flags: 'wx', mode: 0o644 }));
    }
    signal?.throwIfAborted();
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw stopped(err, signal);
  } finally {
    forget();
  }
}

// Artifacts as oras moves them: files pushed as an OCI 1.1 artifact, pulled back into a directory, and the
// artifacts attached to an image listed. Every transport a copy writes to carries them (a registry, an OCI layout,
// an oci-archive, the local store), so an artifact travels air-gapped as an image does.
import { artifactPull as artifactPullOp, type ArtifactPullOptions, type ArtifactPullResult, type PulledFile } from '../ops/artifact-pull.js';
import { artifactPush as artifactPushOp, type ArtifactFile, type ArtifactPushOptions, type ArtifactPushResult } from '../ops/artifact-push.js';
import type { WithCredentials } from '../ops/credentials.js';
import { referrers as referrersOp, type ReferrersOptions, type ReferrersResult } from '../ops/referrers.js';
import { operation, type CallOptions } from './context.js';
import { argument, boolean, credentials, string, stringRecord, strings, time, wrongType, type Check } from './options.js';

export type { ArtifactFile, ArtifactPullResult, ArtifactPushResult, PulledFile };

export interface ArtifactPushCallOptions extends CallOptions, WithCredentials {
  /** The manifest's `artifactType`; default `application/vnd.unknown.artifact.v1` (oras's) unless `config` is given. */
  artifactType?: string | undefined;
  /** Manifest annotations (`org.opencontainers.image.created` is added, the current time, unless given). */
  annotations?: Record<string, string> | undefined;
  /** oras's annotation file: a JSON object of annotations keyed by a file (its path as given, or its title),
   * `"$manifest"` or `"$config"`. */
  annotationFile?: string | undefined;
  /** A file pushed as the manifest's config instead of the empty config (`{}`). */
  config?: string | undefined;
  /** The config's media type; default `application/vnd.unknown.config.v1+json` (oras's). */
  configMediaType?: string | undefined;
  /** An image of the same repository or layout the artifact refers to (`subject`), among whose referrers it is listed.
   * Without a tag in the reference, the artifact is then pushed by digest only. */
  subject?: string | undefined;
  /** The time recorded as `org.opencontainers.image.created`: a Date or milliseconds; default now. */
  now?: Date | number | undefined;
}

export interface ArtifactPullCallOptions extends CallOptions, WithCredentials {
  /** The directory the files are written under (created when missing); default the current directory. */
  output?: string | undefined;
  /** Only layers of these media types. */
  mediaTypes?: string[] | undefined;
  /** Replace files that exist (default: refuse, before writing anything). */
  overwrite?: boolean | undefined;
}

/** The options of artifactList. */
export interface ArtifactListCallOptions extends ReferrersOptions, CallOptions {}

/** `'path'`, `{ path, mediaType?, title? }` or `{ stream, title, mediaType? }`. */
const artifactFiles: Check = (v, name) => {
  const ok = (f: unknown): boolean => {
    if (typeof f === 'string') return f !== '';
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return false;
    const o = f as Record<string, unknown>;
    const keys = Object.keys(o);
    const optional = (k: string) => o[k] === undefined || typeof o[k] === 'string';
    if (typeof o.path === 'string') return keys.every((k) => ['path', 'mediaType', 'title'].includes(k)) && optional('mediaType') && optional('title');
    const stream = o.stream as AsyncIterable<unknown> | undefined;
    return typeof stream?.[Symbol.asyncIterator] === 'function' && typeof o.title === 'string' && keys.every((k) => ['stream', 'mediaType', 'title'].includes(k)) && optional('mediaType');
  };
  if (!Array.isArray(v) || !v.every(ok)) throw wrongType(name, 'an array of file paths, { path, mediaType?, title? } or { stream, title, mediaType? }', v);
  return v;
};

const PUSH = { artifactType: string, annotations: stringRecord, annotationFile: string, config: string, configMediaType: string, subject: string, now: time, credentials };

/**
 * Pushes files as an OCI 1.1 artifact in oras's layout (like `oras push`): one layer per file titled with its path, a
 * directory as a tar+gzip layer oras unpacks, the empty config unless `config`, `artifactType`. To a registry
 * (`REPO:TAG`), an OCI layout (`oci:DIR:TAG`), an oci-archive or the local store; returns the manifest's descriptor.
 *
 * @example
 * const { digest } = await artifactPush('localhost:5000/policies:v1', ['policy.rego', { path: 'data.json', mediaType: 'application/json' }]);
 */
export function artifactPush(reference: string, files: readonly ArtifactFile[], options: ArtifactPushCallOptions = {}): Promise<ArtifactPushResult> {
  argument(reference, string, 'reference');
  argument(files, artifactFiles, 'files');
  return operation(options, PUSH, (ctx, o: ArtifactPushOptions) => artifactPushOp(ctx, reference, files, o));
}

/**
 * Writes an artifact's files under a directory (like `oras pull`): titled layers at their titles, verified while they
 * stream, directories unpacked, a Helm chart as NAME-VERSION.tgz, untitled layers as `sha256-HEX`. A title that would
 * land outside the directory fails the pull (IntegrityError, exit 6) before anything is written.
 */
export function artifactPull(reference: string, options: ArtifactPullCallOptions = {}): Promise<ArtifactPullResult> {
  argument(reference, string, 'reference');
  const schema = { output: string, mediaTypes: strings, overwrite: boolean, credentials };
  return operation(options, schema, (ctx, o: ArtifactPullOptions) => artifactPullOp(ctx, reference, o));
}

/** The artifacts attached to an image (its referrers, as `referrers` lists them), each with its own, as a tree. */
export function artifactList(image: string, options: ArtifactListCallOptions = {}): Promise<ReferrersResult> {
  argument(image, string, 'image');
  return operation(options, { artifactType: string, credentials }, (ctx, o: ReferrersOptions) => referrersOp(ctx, image, o));
}

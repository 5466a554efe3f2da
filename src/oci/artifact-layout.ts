import { posix, win32 } from 'node:path';
import { IntegrityError, UsageError } from '../errors.js';

/**
 * oras's artifact layout (oras-go's file store and PackManifest v1.1), which `artifact push` writes and `artifact
 * pull` reads: one layer per file titled with its path, a directory as a tar+gzip layer with the digest of its tar and
 * an unpack mark, the empty config and `artifactType` when no config is given.
 */
export const TITLE = 'org.opencontainers.image.title';
export const CREATED = 'org.opencontainers.image.created';
/** The digest of a directory layer's uncompressed tar. */
export const ORAS_CONTENT_DIGEST = 'io.deis.oras.content.digest';
/** `"true"`: the layer is a tar+gzip of a directory, to be unpacked where its title says. */
export const ORAS_UNPACK = 'io.deis.oras.content.unpack';
/** oras push's artifactType when neither `--artifact-type` nor `--config` is given. */
export const UNKNOWN_ARTIFACT = 'application/vnd.unknown.artifact.v1';
/** oras push's config media type for `--config FILE` without one. */
export const UNKNOWN_CONFIG = 'application/vnd.unknown.config.v1+json';
/** The annotation file's keys for the manifest's and the config's own annotations. */
export const MANIFEST_KEY = '$manifest';
export const CONFIG_KEY = '$config';

export const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const HELM_PROVENANCE = 'application/vnd.cncf.helm.chart.provenance.v1.prov';

/** RFC 6838's type/subtype (with `+suffix`), parameters allowed: what a layer, config or artifact type must look like. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[^;\s]+=[^;\s]+)*$/;

/** UsageError unless `value` is a media type (`what` names it: `option artifactType`, `--config's media type`). */
export function checkMediaType(value: string, what: string, option?: string): string {
  if (!MEDIA_TYPE.test(value)) {
    throw new UsageError(`${what}: "${value}" is not a media type (type/subtype, e.g. application/vnd.example+json)`, option ? { option } : {});
  }
  return value;
}

/**
 * oras's `FILE[:MEDIATYPE]`: split at the last colon (oras's fileref.Parse), so `a:b` is a file `a` of type `b` and a
 * file whose name holds a colon is written with a trailing one (`hi:txt:`). An empty media type is the default.
 */
export function splitFileRef(text: string): { path: string; mediaType?: string } {
  const at = text.lastIndexOf(':');
  const path = at < 0 ? text : text.slice(0, at);
  const mediaType = at < 0 ? '' : text.slice(at + 1);
  if (!path) throw new UsageError(`"${text}": no file before the media type`);
  return mediaType ? { path, mediaType } : { path };
}

/**
 * The title oras gives a file pushed from `path`: the path cleaned, with forward slashes (`./docs/a.md` is
 * `docs/a.md`, a directory `dir/` is `dir`). oras refuses absolute paths; here they, and paths that climb out of the
 * working directory, are titled with their base name instead, so that every title pushed is one pull can write.
 */
export function fileTitle(path: string): string {
  const clean = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (posix.isAbsolute(clean) || clean === '..' || clean.startsWith('../') || clean === '.' || clean === '') {
    return posix.basename(posix.resolve('/', clean)) || clean;
  }
  return clean;
}

/**
 * A title as the path it is written to under the output directory, or an IntegrityError (exit 6): titles come from
 * whoever pushed the artifact, so an absolute one, one with a `..` component, a drive letter, a backslash or a NUL is
 * refused before anything is written.
 */
export function safeTitle(title: string, what: string): string {
  const refuse = (why: string) => new IntegrityError(`${what}: refusing the title ${JSON.stringify(title)}: ${why}`, { code: 'ERR_UNSAFE_PATH' });
  if (title === '' || title.includes('\0')) throw refuse('not a file name');
  if (posix.isAbsolute(title) || win32.isAbsolute(title) || /^[A-Za-z]:/.test(title)) throw refuse('an absolute path would be written outside the output directory');
  if (title.includes('\\')) throw refuse('a backslash is not a path separator here');
  const parts = title.split('/');
  if (parts.includes('..')) throw refuse('".." would leave the output directory');
  const clean = parts.filter((p) => p !== '' && p !== '.').join('/');
  if (!clean) throw refuse('names the output directory itself');
  return clean;
}

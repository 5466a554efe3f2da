import { IntegrityError } from '../errors.js';
import { parseJson } from './json.js';
import { baseMediaType, DOCKER_CONFIG, OCI_CONFIG } from './media-types.js';

/**
 * An image's config as stored (OCI image spec `application/vnd.oci.image.config.v1+json`; Docker's
 * `application/vnd.docker.container.image.v1+json` has the same shape). The spec requires `architecture`, `os` and
 * `rootfs`; what a registry holds may lack them, so every field is optional. Fields of other tools stay as stored.
 */
export interface ImageConfig {
  /** RFC 3339 time the image was created. */
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  /** How a container of the image runs. */
  config?: ContainerConfig;
  rootfs?: RootFS;
  history?: HistoryEntry[];
  /** Other fields as stored (Docker's `container_config`, `docker_version`, …). */
  [field: string]: unknown;
}

/** The `config` of an image config: what a container of the image runs, as what, where. */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  [field: string]: unknown;
}

/** The layers' uncompressed digests (`diff_ids`), bottom first. */
export interface RootFS {
  type: string;
  diff_ids: string[];
}

/** One build step of the image (`empty_layer` when it added no layer). */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/**
 * Config bytes as an ImageConfig: any JSON object. Undefined when the bytes are not one and the media type is not an
 * image config's (an artifact's config may be anything); an image config that is not a JSON object is an
 * IntegrityError (exit 6).
 */
export function parseImageConfig(bytes: Buffer, mediaType: string, what: string): ImageConfig | undefined {
  let doc: unknown;
  try {
    doc = parseJson(bytes, what);
  } catch (err) {
    if (err instanceof IntegrityError) throw err;
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as ImageConfig;
  const type = baseMediaType(mediaType);
  if (type === OCI_CONFIG || type === DOCKER_CONFIG) throw new IntegrityError(`${what}: the image config is not a JSON object`, { code: 'ERR_CONFIG_INVALID' });
  return undefined;
}

/**
 * An image config as its JSON says (the OCI image spec's config, which docker's v1 image JSON shares): the fields
 * named here have the spec's types when the image follows the spec; regctl checks only that the config is a JSON
 * object. Fields the spec does not name (docker's `container_config`, `docker_version`, …) are kept.
 */
export interface ImageConfig {
  /** RFC 3339 time the image was made. */
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
  /** What a container of the image runs with. */
  config?: ContainerConfig;
  rootfs?: { type: string; diff_ids: string[] };
  history?: ImageHistory[];
  [field: string]: unknown;
}

/** The `config` of an image config: Go's field names, as the spec writes them. */
export interface ContainerConfig {
  User?: string;
  /** `{ "8080/tcp": {} }` */
  ExposedPorts?: Record<string, object>;
  /** `NAME=value` */
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  [field: string]: unknown;
}

/** One step of the image's history. */
export interface ImageHistory {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  /** The step changed no files (no layer of its own). */
  empty_layer?: boolean;
}

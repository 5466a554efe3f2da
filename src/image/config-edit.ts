import { IntegrityError, UsageError } from '../errors.js';

/** An image config as JSON (docker's and OCI's share the fields changed here). */
export type ImageConfig = Record<string, unknown>;

/** Changes to an image's runtime config (crane mutate, regclient image mod). Absent fields are left alone. */
export interface ConfigChanges {
  labels?: Record<string, string>;
  removeLabels?: string[];
  /** Set in place when the variable exists, appended otherwise (in this order). */
  env?: Record<string, string>;
  removeEnv?: string[];
  /** `[]` clears it. */
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  workdir?: string;
  /** `8080`, `8080/tcp`, `53/udp`. */
  expose?: string[];
  stopSignal?: string;
  /** The image's `created` time. */
  created?: Date;
}

const PORT = /^\d{1,5}(?:\/(?:tcp|udp|sctp))?$/;

/** Config bytes as JSON: IntegrityError (exit 6) when they are not a JSON object. */
export function parseConfig(bytes: Buffer, what: string): ImageConfig {
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new IntegrityError(`${what}: the image config is not JSON`, { code: 'ERR_CONFIG_INVALID', cause: err });
  }
  if (!isObject(config)) throw new IntegrityError(`${what}: the image config is not a JSON object`, { code: 'ERR_CONFIG_INVALID' });
  return config;
}

/** RFC 3339 as images write it: seconds, `Z`, no milliseconds. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A copy of `config` with `changes` applied; the input is not modified. */
export function applyConfigChanges(config: ImageConfig, changes: ConfigChanges): ImageConfig {
  const out = structuredClone(config);
  const run = { ...(isObject(out.config) ? out.config : {}) } as Record<string, unknown>;
  if (changes.labels || changes.removeLabels) {
    const labels = { ...(isObject(run.Labels) ? (run.Labels as Record<string, string>) : {}) };
    for (const k of changes.removeLabels ?? []) delete labels[k];
    Object.assign(labels, changes.labels);
    run.Labels = labels;
  }
  if (changes.env || changes.removeEnv) run.Env = editEnv(Array.isArray(run.Env) ? (run.Env as string[]) : [], changes);
  if (changes.entrypoint) run.Entrypoint = changes.entrypoint.length ? changes.entrypoint : null;
  if (changes.cmd) run.Cmd = changes.cmd.length ? changes.cmd : null;
  if (changes.user !== undefined) run.User = changes.user;
  if (changes.workdir !== undefined) run.WorkingDir = changes.workdir;
  if (changes.stopSignal !== undefined) run.StopSignal = changes.stopSignal;
  if (changes.expose) {
    const ports = { ...(isObject(run.ExposedPorts) ? run.ExposedPorts : {}) } as Record<string, object>;
    for (const p of changes.expose) {
      if (!PORT.test(p)) throw new UsageError(`--expose ${p}: expected PORT or PORT/tcp|udp|sctp`);
      ports[p.includes('/') ? p : `${p}/tcp`] = {};
    }
    run.ExposedPorts = ports;
  }
  out.config = run;
  if (changes.created) out.created = rfc3339(changes.created);
  return out;
}

function editEnv(env: string[], changes: ConfigChanges): string[] {
  const name = (e: string) => e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('='));
  const removed = new Set(changes.removeEnv ?? []);
  const out = env.filter((e) => !removed.has(name(e)));
  for (const [k, v] of Object.entries(changes.env ?? {})) {
    if (!k || k.includes('=')) throw new UsageError(`--env ${k}=${v}: the variable name must be non-empty and have no "="`);
    const at = out.findIndex((e) => name(e) === k);
    if (at >= 0) out[at] = `${k}=${v}`;
    else out.push(`${k}=${v}`);
  }
  return out;
}

/** The config's diff_ids and history (with their layers set by the caller); the input is not modified. */
export function withRootfs(config: ImageConfig, diffIds: string[], history: unknown[]): ImageConfig {
  const rootfs = isObject(config.rootfs) ? config.rootfs : {};
  return { ...config, rootfs: { ...rootfs, type: 'layers', diff_ids: diffIds }, history };
}

/** The config's diff_ids and history entries. */
export function rootfsOf(config: ImageConfig): { diffIds: string[]; history: unknown[] } {
  const rootfs = isObject(config.rootfs) ? config.rootfs : {};
  return {
    diffIds: Array.isArray(rootfs.diff_ids) ? (rootfs.diff_ids as string[]) : [],
    history: Array.isArray(config.history) ? config.history : [],
  };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

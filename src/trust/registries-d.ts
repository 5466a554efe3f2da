/**
 * containers-registries.d(5)'s `use-sigstore-attachments`, read from the directory containers/image reads:
 * `$HOME/.config/containers/registries.d` when it exists, else `/etc/containers/registries.d`; every `*.yaml` file
 * in it, merged (a namespace, or `default-docker`, defined in two files is an error, as there).
 *
 *   docker:
 *     registry.example.com/team: { use-sigstore-attachments: true }
 *   default-docker: { use-sigstore-attachments: false }
 *
 * The entry that applies to an image is the most specific one that sets the key: its reference, its repository,
 * each parent namespace, its host, `*.`-wildcards of its host (policy.json's scopes), then `default-docker`.
 *
 * What it means for regctl: skopeo and podman read cosign's tag-based signatures (`sha256-<hex>.sig`) of an image
 * only where the key is true, and write them at a destination only where it is true. regctl reads and writes them
 * unless the applicable entry says `false` (no entry is not "false" for regctl: it knows the format without
 * being told): an image whose source registry says `false` is judged without its tag-based signatures, and a copy to
 * a destination that says `false` does not bring signatures along by default (`referrers` stays off unless asked).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ConfigError } from '../errors.js';
import { dockerNamespaces, identityString, type DockerIdentity } from './policy-scope.js';

const MAX_FILE_BYTES = 1024 * 1024;

interface Namespace {
  useSigstoreAttachments?: boolean;
}

/** The merged configuration. */
export interface RegistriesD {
  /** Where it was read from (none when the directory does not exist). */
  dir: string;
  docker: Map<string, Namespace>;
  defaultDocker?: Namespace;
}

/** The directory containers/image would read, given the home directory. */
export async function registriesDir(homedir: string): Promise<string> {
  const user = join(homedir, '.config', 'containers', 'registries.d');
  return (await stat(user).then(() => true, () => false)) ? user : '/etc/containers/registries.d';
}

export async function loadRegistriesD(dir: string): Promise<RegistriesD> {
  const out: RegistriesD = { dir, docker: new Map() };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw new ConfigError(`cannot read ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const from = new Map<string, string>();
  for (const name of names.filter((n) => n.endsWith('.yaml')).sort()) {
    const path = join(dir, name);
    let text: Buffer;
    try {
      text = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new ConfigError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
    if (text.length > MAX_FILE_BYTES) throw new ConfigError(`${path}: larger than ${MAX_FILE_BYTES} bytes: refused`);
    let doc: unknown;
    try {
      doc = parse(text.toString('utf8'), { uniqueKeys: true, maxAliasCount: 100 });
    } catch (err) {
      throw new ConfigError(`${path} is not valid YAML: ${(err as Error).message}`, { cause: err });
    }
    if (doc === null || doc === undefined) continue;
    if (!isMap(doc)) throw new ConfigError(`${path}: the top level must be a mapping (docker, default-docker)`);
    if (doc['default-docker'] !== undefined && doc['default-docker'] !== null) {
      if (out.defaultDocker) throw new ConfigError(`"default-docker" defined both in ${from.get('')} and ${path}`);
      out.defaultDocker = namespace(doc['default-docker'], `${path}: default-docker`);
      from.set('', path);
    }
    const docker = doc.docker;
    if (docker === undefined || docker === null) continue;
    if (!isMap(docker)) throw new ConfigError(`${path}: "docker" must map namespaces to their settings`);
    for (const [ns, value] of Object.entries(docker)) {
      if (out.docker.has(ns)) throw new ConfigError(`"docker" namespace ${JSON.stringify(ns)} defined both in ${from.get(`docker ${ns}`)} and ${path}`);
      out.docker.set(ns, namespace(value, `${path}: docker.${ns}`));
      from.set(`docker ${ns}`, path);
    }
  }
  return out;
}

/** The applicable `use-sigstore-attachments`, or undefined when no entry sets it. */
export function useSigstoreAttachments(config: RegistriesD, ref: DockerIdentity): boolean | undefined {
  for (const scope of [identityString(ref), ...dockerNamespaces(ref.name)]) {
    const v = config.docker.get(scope)?.useSigstoreAttachments;
    if (v !== undefined) return v;
  }
  return config.defaultDocker?.useSigstoreAttachments;
}

function namespace(v: unknown, where: string): Namespace {
  if (v === null || v === undefined) return {};
  if (!isMap(v)) throw new ConfigError(`${where}: must be a mapping`);
  const u = v['use-sigstore-attachments'];
  if (u === undefined || u === null) return {};
  if (typeof u !== 'boolean') throw new ConfigError(`${where}.use-sigstore-attachments: must be true or false`);
  return { useSigstoreAttachments: u };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

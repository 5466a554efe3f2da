// What a plain-http registry serves, read with undici in the test process: the judge of what a regctl command
// wrote, without starting another process for each check.
import { request } from 'undici';
import type { RegistryHandle } from './registry.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface ServedManifest {
  mediaType: string;
  config: { digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number }>;
  manifests?: Array<{ digest: string; platform: { architecture: string } }>;
}

export interface Served {
  /** The digest REPO:REF resolves to (the registry's Docker-Content-Digest), or undefined when it is not there. */
  digest(repo: string, ref: string): Promise<string | undefined>;
  /** The manifest (or index) REPO:REF resolves to, parsed. */
  manifest(repo: string, ref: string): Promise<ServedManifest>;
  /** A blob's bytes. */
  blob(repo: string, digest: string): Promise<Buffer>;
  /** The tags of a repository, sorted. */
  tags(repo: string): Promise<string[]>;
}

export function served(reg: RegistryHandle): Served {
  const get = async (path: string, method: 'GET' | 'HEAD' = 'GET') => {
    const res = await request(`${reg.url}/v2/${path}`, { method, headers: { accept: MANIFEST_TYPES } });
    const body = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200 && !(method === 'HEAD' && res.statusCode === 404)) throw new Error(`${method} ${path}: ${res.statusCode} ${body}`);
    return { status: res.statusCode, digest: res.headers['docker-content-digest'] as string | undefined, body };
  };
  return {
    async digest(repo, ref) {
      const r = await get(`${repo}/manifests/${ref}`, 'HEAD');
      return r.status === 200 ? r.digest : undefined;
    },
    async manifest(repo, ref) {
      return JSON.parse((await get(`${repo}/manifests/${ref}`)).body.toString('utf8')) as ServedManifest;
    },
    async blob(repo, digest) {
      return (await get(`${repo}/blobs/${digest}`)).body;
    },
    async tags(repo) {
      return ((JSON.parse((await get(`${repo}/tags/list`)).body.toString('utf8')) as { tags: string[] | null }).tags ?? []).sort();
    },
  };
}

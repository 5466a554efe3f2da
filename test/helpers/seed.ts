// Pushes test images with raw registry API calls (undici), independent of regctl's own code.
import { sha256 } from './bytes.js';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';

export interface SeedTarget {
  /** 'http(s)://127.0.0.1:PORT' */
  url: string;
  /** PEM file of the CA to trust. */
  ca?: string;
  /** Sent as `Authorization` on every request, e.g. 'Basic …' or 'Bearer …'. */
  authHeader?: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface SeedImageOptions {
  /** Uncompressed layer contents (tarLayer() makes real tars); gzipped on push. Default: one small tar. */
  layers?: Buffer[];
  /** Default linux/amd64. */
  platform?: Platform;
  /** Default 2024-01-02T03:04:05Z. */
  created?: string;
  /** Default 'docker' (schema 2); 'oci' for OCI media types. */
  mediaType?: 'oci' | 'docker';
}

export interface SeededImage {
  digest: string;
  manifest: Buffer;
  mediaType: string;
  configDigest: string;
  config: Buffer;
  /** Digests of the gzipped layers, as in the manifest. */
  layerDigests: string[];
  /** Digests of the uncompressed layers, as in the config's rootfs. */
  diffIds: string[];
  /** Byte size of the manifest. */
  size: number;
}

export interface SeededIndex {
  digest: string;
  manifest: Buffer;
  mediaType: string;
  size: number;
  manifests: Array<{ digest: string; platform: Platform }>;
}

const MEDIA_TYPES = {
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    layer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  },
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  },
} as const;
const DEFAULT_CREATED = '2024-01-02T03:04:05Z';
const TAG_PUSH_CONCURRENCY = 8;

export async function seedImage(target: SeedTarget, repo: string, tag: string, opts: SeedImageOptions = {}): Promise<SeededImage> {
  return withPusher(target, (pusher) => pushImage(pusher, repo, tag, opts));
}

/** One image per platform, pushed by digest, then an index (OCI by default) tagged `tag`. */
export async function seedIndex(
  target: SeedTarget, repo: string, tag: string, platforms: Platform[], opts: { mediaType?: 'oci' | 'docker' } = {},
): Promise<SeededIndex> {
  const types = MEDIA_TYPES[opts.mediaType ?? 'oci'];
  return withPusher(target, async (pusher) => {
    const manifests: SeededIndex['manifests'] = [];
    const descriptors: object[] = [];
    for (const platform of platforms) {
      const image = await pushImage(pusher, repo, undefined, { platform, mediaType: opts.mediaType ?? 'oci' });
      manifests.push({ digest: image.digest, platform });
      descriptors.push({ mediaType: image.mediaType, digest: image.digest, size: image.size, platform });
    }
    const manifest = json({ schemaVersion: 2, mediaType: types.index, manifests: descriptors });
    const digest = await pusher.putManifest(repo, tag, manifest, types.index);
    return { digest, manifest, mediaType: types.index, size: manifest.length, manifests };
  });
}

/** One image under the tags tag-0001 … tag-N (zero-padded, so they sort as numbered). */
export async function seedManyTags(target: SeedTarget, repo: string, n: number): Promise<{ digest: string; tags: string[] }> {
  const width = Math.max(4, String(n).length);
  const tags = Array.from({ length: n }, (_, i) => `tag-${String(i + 1).padStart(width, '0')}`);
  return withPusher(target, async (pusher) => {
    const image = await pushImage(pusher, repo, undefined, {});
    for (let i = 0; i < tags.length; i += TAG_PUSH_CONCURRENCY) {
      await Promise.all(tags.slice(i, i + TAG_PUSH_CONCURRENCY)
        .map((tag) => pusher.putManifest(repo, tag, image.manifest, image.mediaType)));
    }
    return { digest: image.digest, tags };
  });
}

/**
 * An OCI artifact (a signature, an SBOM): `artifactType`, the empty config `{}`, one blob with its own media type and
 * annotations, and a layer descriptor with `urls`, as `oras push` writes them.
 */
export async function seedArtifact(target: SeedTarget, repo: string, tag: string): Promise<{ digest: string; manifest: Buffer; blobDigest: string }> {
  return withPusher(target, async (pusher) => {
    const empty = Buffer.from('{}');
    const blob = Buffer.from('{"spdxVersion":"SPDX-2.3"}');
    const emptyDigest = await pusher.putBlob(repo, empty);
    const blobDigest = await pusher.putBlob(repo, blob);
    const mediaType = MEDIA_TYPES.oci.manifest;
    const manifest = json({
      schemaVersion: 2,
      mediaType,
      artifactType: 'application/spdx+json',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: empty.length },
      layers: [{
        mediaType: 'application/spdx+json',
        digest: blobDigest,
        size: blob.length,
        annotations: { 'org.opencontainers.image.title': 'sbom.spdx.json' },
        urls: ['https://example.invalid/sbom.spdx.json'],
      }],
      annotations: { 'org.opencontainers.image.created': '2024-01-02T03:04:05Z' },
    });
    return { digest: await pusher.putManifest(repo, tag, manifest, mediaType), manifest, blobDigest };
  });
}

/**
 * Any manifest as given (an artifact, a cosign signature, an index with attestations): its blobs pushed first,
 * then the JSON pushed under `ref` (a tag or its digest) with the document's own mediaType.
 */
export async function seedManifest(target: SeedTarget, repo: string, ref: string | undefined, doc: { mediaType: string }, blobs: Buffer[] = []): Promise<{ digest: string; size: number; mediaType: string; bytes: Buffer }> {
  return withPusher(target, async (pusher) => {
    for (const blob of blobs) await pusher.putBlob(repo, blob);
    const bytes = json(doc);
    const digest = await pusher.putManifest(repo, ref ?? sha256(bytes), bytes, doc.mediaType);
    return { digest, size: bytes.length, mediaType: doc.mediaType, bytes };
  });
}

/** A blob's descriptor fields. */
export function blobDescriptor(data: Buffer, mediaType: string, annotations?: Record<string, string>): { mediaType: string; digest: string; size: number; annotations?: Record<string, string> } {
  return { mediaType, digest: sha256(data), size: data.length, ...(annotations ? { annotations } : {}) };
}

/** An uncompressed ustar archive of regular files (mode 0644, mtime 0). */
export function tarLayer(files: Record<string, string | Buffer>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

async function pushImage(pusher: Pusher, repo: string, tag: string | undefined, opts: SeedImageOptions): Promise<SeededImage> {
  const types = MEDIA_TYPES[opts.mediaType ?? 'docker'];
  const platform = opts.platform ?? { os: 'linux', architecture: 'amd64' };
  const created = opts.created ?? DEFAULT_CREATED;
  const platformName = [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
  const layers = opts.layers ?? [tarLayer({ 'hello.txt': `${repo}:${tag ?? ''} ${platformName}\n` })];
  const gzipped = layers.map((layer) => gzipSync(layer));
  const diffIds = layers.map(sha256);
  const config = json({
    created,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant && { variant: platform.variant }),
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Entrypoint: ['/bin/sh', '-c'],
      Cmd: ['cat /hello.txt'],
      WorkingDir: '/',
      Labels: { 'org.regctl.test.repo': repo },
    },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map(() => ({ created, created_by: 'regctl test seed' })),
  });
  const configDigest = await pusher.putBlob(repo, config);
  const layerDigests: string[] = [];
  for (const blob of gzipped) layerDigests.push(await pusher.putBlob(repo, blob));
  const manifest = json({
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: configDigest, size: config.length },
    layers: gzipped.map((blob, i) => ({ mediaType: types.layer, digest: layerDigests[i], size: blob.length })),
  });
  const digest = await pusher.putManifest(repo, tag ?? sha256(manifest), manifest, types.manifest);
  return { digest, manifest, mediaType: types.manifest, configDigest, config, layerDigests, diffIds, size: manifest.length };
}

async function withPusher<T>(target: SeedTarget, use: (pusher: Pusher) => Promise<T>): Promise<T> {
  const dispatcher = new Agent({ connect: target.ca ? { ca: readFileSync(target.ca) } : {} });
  try {
    return await use(new Pusher(target, dispatcher));
  } finally {
    await dispatcher.close();
  }
}

class Pusher {
  constructor(private readonly target: SeedTarget, private readonly dispatcher: Dispatcher) {}

  /** Monolithic upload: POST to open the upload, then PUT ?digest= with the whole blob. */
  async putBlob(repo: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    const head = await this.send('HEAD', `/v2/${repo}/blobs/${digest}`, [200, 404]);
    if (head.statusCode === 200) return digest;
    const start = await this.send('POST', `/v2/${repo}/blobs/uploads/`, [202]);
    const location = new URL(String(start.headers.location), this.target.url);
    location.searchParams.set('digest', digest);
    await this.send('PUT', location.href, [201], data, 'application/octet-stream');
    return digest;
  }

  async putManifest(repo: string, ref: string, manifest: Buffer, mediaType: string): Promise<string> {
    const res = await this.send('PUT', `/v2/${repo}/manifests/${ref}`, [201], manifest, mediaType);
    const digest = sha256(manifest);
    if (res.headers['docker-content-digest'] !== digest) {
      throw new Error(`registry answered Docker-Content-Digest ${res.headers['docker-content-digest']} for manifest ${digest}`);
    }
    return digest;
  }

  private async send(
    method: Dispatcher.HttpMethod, path: string, expected: number[], body?: Buffer, contentType?: string,
  ): Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined> }> {
    const url = new URL(path, this.target.url);
    const headers: Record<string, string> = {};
    if (this.target.authHeader) headers.authorization = this.target.authHeader;
    if (contentType) headers['content-type'] = contentType;
    let res = await request(url, { method, headers, body, dispatcher: this.dispatcher });
    // distribution's filesystem driver answers 500 now and then while another request commits the same blob
    // (parallel seeding of images that share layers): a HEAD is asked again, as any client retries a 5xx.
    for (let attempt = 1; method === 'HEAD' && res.statusCode >= 500 && attempt < 5; attempt++) {
      await res.body.dump();
      await new Promise((r) => setTimeout(r, 50 * attempt));
      res = await request(url, { method, headers, body, dispatcher: this.dispatcher });
    }
    const text = await res.body.text();
    if (!expected.includes(res.statusCode)) {
      throw new Error(`seed: ${method} ${url.pathname} answered ${res.statusCode}: ${text}`);
    }
    return { statusCode: res.statusCode, headers: res.headers };
  }
}



function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

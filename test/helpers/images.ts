// Test images built in memory (layers, config, manifest), copied where they are needed with the real copy engine
// from a MemoryTarget; raw tars for hostile cases.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { copyImage } from '../../src/content/copy.js';
import { MemoryTarget } from '../../src/content/memory.js';
import { writeTo, type DestinationTarget } from '../../src/content/target.js';
import type { Descriptor } from '../../src/oci/manifest.js';
import { DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_MANIFEST_V2 } from '../../src/oci/media-types.js';
import { readAll, sha256 } from './bytes.js';

export { sha256 } from './bytes.js';
export const hex = (digest: string) => digest.slice('sha256:'.length);

/** zstd-compresses bytes (the zstd frame a `…tar+zstd` layer or a `.tar.zst` archive holds). */
export async function zstdCompress(data: Buffer): Promise<Buffer> {
  const { compress } = (await import('@mongodb-js/zstd')) as { compress(d: Buffer, level?: number): Promise<Buffer> };
  return compress(data, 3);
}

export type TarEntry = Partial<Header> & { name: string; body?: Buffer | string };

/** A tar of the given entries (deterministic: mtime 0, uid/gid 0). */
export async function tarOf(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  for (const { body, ...header } of entries) {
    const data = body === undefined ? undefined : Buffer.from(body);
    p.entry({ mtime: new Date(0), uid: 0, gid: 0, ...header, ...(data ? { size: data.length } : {}) }, data ?? Buffer.alloc(0));
  }
  p.finalize();
  return readAll(p);
}

export interface TestLayer {
  tar: Buffer;
  blob: Buffer;
  desc: Descriptor;
  diffId: string;
}

export async function makeLayer(entries: TarEntry[], opts: { gzip?: boolean; zstd?: boolean } = {}): Promise<TestLayer> {
  const tar = await tarOf(entries);
  if (opts.zstd) {
    const blob = await zstdCompress(tar);
    return { tar, blob, desc: { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', digest: sha256(blob), size: blob.length }, diffId: sha256(tar) };
  }
  return layerOf(tar, opts);
}

/** A layer of a tar already made (seed.ts tarLayer makes them synchronously): gzipped unless asked not to. */
export function layerOf(tar: Buffer, opts: { gzip?: boolean; format?: 'docker' | 'oci' } = {}): TestLayer {
  const blob = opts.gzip === false ? tar : gzipSync(tar);
  const mediaType = opts.format === 'oci'
    ? `application/vnd.oci.image.layer.v1.tar${opts.gzip === false ? '' : '+gzip'}`
    : opts.gzip === false ? 'application/vnd.docker.image.rootfs.diff.tar' : DOCKER_LAYER_GZIP;
  return { tar, blob, desc: { mediaType, digest: sha256(blob), size: blob.length }, diffId: sha256(tar) };
}

export interface TestImage {
  layers: TestLayer[];
  config: Buffer;
  configDesc: Descriptor;
  manifest: Buffer;
  /** The manifest's descriptor. */
  desc: Descriptor;
}

export interface ImageOptions {
  cmd?: string[];
  diffIds?: string[];
  created?: string;
  /** Default amd64 (linux). */
  arch?: string;
  /** Media types of the manifest and config: Docker's (default) or OCI's. */
  format?: 'docker' | 'oci';
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** An image of these layers: a config with their diff_ids and a manifest, as docker or an OCI builder writes them. */
export function makeImage(layers: TestLayer[], opts: ImageOptions = {}): TestImage {
  const config = Buffer.from(
    JSON.stringify({
      architecture: opts.arch ?? 'amd64',
      os: 'linux',
      created: opts.created ?? '2024-01-01T00:00:00Z',
      config: { Env: ['PATH=/bin'], Cmd: opts.cmd ?? ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: opts.diffIds ?? layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'regctl test' })),
    }),
  );
  const [manifestType, configType] = opts.format === 'oci' ? [OCI_MANIFEST, OCI_CONFIG] : [DOCKER_MANIFEST_V2, DOCKER_CONFIG];
  const configDesc = { mediaType: configType, digest: sha256(config), size: config.length };
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: manifestType, config: configDesc, layers: layers.map((l) => l.desc) }),
  );
  return { layers, config, configDesc, manifest, desc: { mediaType: manifestType, digest: sha256(manifest), size: manifest.length } };
}

/** A MemoryTarget holding these images (blobs and manifests, untagged): a source for the copy engine. */
export function memoryWith(...images: TestImage[]): MemoryTarget {
  const mem = new MemoryTarget();
  for (const img of images) {
    for (const l of img.layers) mem.putBlob(l.blob, l.desc.mediaType);
    mem.putBlob(img.config, img.configDesc.mediaType);
    mem.manifests.set(img.desc.digest, { desc: img.desc, bytes: img.manifest });
  }
  return mem;
}

/** Copies an image into a destination with the copy engine (from memory) and commits it, as a command would. */
export async function copyInto(dst: DestinationTarget, img: TestImage, tag?: string): Promise<void> {
  await writeTo(dst, (d) => copyImage(memoryWith(img).source(img.desc.digest), d, tag === undefined ? {} : { tag }));
}

/** Copies one image into an archive writer the caller commits (an archive holds several). */
export async function saveImage(writer: DestinationTarget, name: string | undefined, img: TestImage): Promise<void> {
  await copyImage(memoryWith(img).source(img.desc.digest), writer, name === undefined ? {} : { tag: name });
}

/** Entry names and sizes of a tar (plain or gzip), in order. */
export async function listTar(data: Buffer): Promise<Array<{ name: string; type: string; size: number; mtime: number; mode: number; linkname?: string }>> {
  const { extract } = await import('tar-stream');
  const { gunzipSync } = await import('node:zlib');
  const ex = extract();
  const out: Array<{ name: string; type: string; size: number; mtime: number; mode: number; linkname?: string }> = [];
  Readable.from([data[0] === 0x1f ? gunzipSync(data) : data]).pipe(ex as unknown as NodeJS.WritableStream);
  for await (const e of ex) {
    const h = e.header;
    out.push({ name: h.name, type: String(h.type), size: h.size ?? 0, mtime: h.mtime?.getTime() ?? 0, mode: h.mode ?? 0, ...(h.linkname ? { linkname: h.linkname } : {}) });
    e.resume();
  }
  return out;
}

/** A copy of a tar whose first header claims `size` bytes (checksum fixed up), so the header lies about the data. */
export function withLyingSize(tar: Buffer, size: number): Buffer {
  const out = Buffer.from(tar);
  out.write(size.toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
  out.fill(' ', 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += out[i]!;
  out.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return out;
}

/** A runnable image from Debian's static busybox: /bin/busybox and /bin/sh → busybox, plus a marker layer. */
export async function busyboxImage(busyboxPath: string): Promise<TestImage> {
  const binary = readFileSync(busyboxPath);
  if (binary.includes('/lib64/ld-linux')) throw new Error(`${busyboxPath} is dynamically linked: install busybox-static`);
  const layer = await makeLayer([
    { name: 'bin/', type: 'directory', mode: 0o755 },
    { name: 'bin/busybox', body: binary, mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox', mode: 0o777 },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
  ]);
  const marker = await makeLayer([{ name: 'etc/', type: 'directory', mode: 0o755 }, { name: 'etc/regctl-test', body: 'second layer\n' }]);
  return makeImage([layer, marker], { cmd: ['/bin/sh'] });
}

import { readFileSync } from 'node:fs';
// Test images built in memory (layers, config, manifest) and written with ArchiveWriter; raw tars for hostile cases.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { copyImage } from '../../src/content/copy.js';
import { MemoryTarget } from '../../src/content/memory.js';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import type { ArchiveWriter } from '../../src/archive/writer.js';
import type { Descriptor } from '../../src/oci/manifest.js';
import { DOCKER_CONFIG, DOCKER_LAYER_GZIP, DOCKER_MANIFEST_V2 } from '../../src/oci/media-types.js';

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
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
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
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
  const blob = opts.gzip === false ? tar : gzipSync(tar);
  const mediaType = opts.gzip === false ? 'application/vnd.docker.image.rootfs.diff.tar' : DOCKER_LAYER_GZIP;
  return { tar, blob, desc: { mediaType, digest: sha256(blob), size: blob.length }, diffId: sha256(tar) };
}

export interface TestImage {
  layers: TestLayer[];
  config: Buffer;
  configDesc: Descriptor;
  manifest: Buffer;
  manifestDesc: Descriptor;
}

export function makeImage(layers: TestLayer[], opts: { cmd?: string[]; diffIds?: string[]; created?: string } = {}): TestImage {
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: opts.created ?? '2024-01-01T00:00:00Z',
      config: { Env: ['PATH=/bin'], Cmd: opts.cmd ?? ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: opts.diffIds ?? layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'regctl test' })),
    }),
  );
  const configDesc = { mediaType: DOCKER_CONFIG, digest: sha256(config), size: config.length };
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_V2, config: configDesc, layers: layers.map((l) => l.desc) }),
  );
  return { layers, config, configDesc, manifest, manifestDesc: { mediaType: DOCKER_MANIFEST_V2, digest: sha256(manifest), size: manifest.length } };
}

/** Saves one image into an archive through the copy engine, from a memory target holding it. */
export async function saveImage(writer: ArchiveWriter, name: string | undefined, img: TestImage): Promise<void> {
  const mem = new MemoryTarget();
  for (const l of img.layers) mem.putBlob(l.blob, l.desc.mediaType);
  mem.putBlob(img.config, img.configDesc.mediaType);
  mem.manifests.set(img.manifestDesc.digest, { desc: img.manifestDesc, bytes: img.manifest });
  await copyImage(mem.source(img.manifestDesc.digest), writer, name === undefined ? {} : { tag: name });
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

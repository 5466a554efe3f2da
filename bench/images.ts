// Deterministic benchmark images, written once as OCI layouts under a cache directory and reused by later runs.
// Layer contents are AES-256-CTR keystream (incompressible, reproducible from a fixed seed), wrapped in a tar
// holding one file and gzipped at level 1; tar, gzip and both digests are computed in one streaming pass.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

export const SEED = 'regctl-bench-v1';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ImageSpec {
  /** Also the tag in the layout and the repository name in the registry. */
  name: string;
  layers: number;
  layerBytes: number;
  /** Several platforms make an index of one image per platform. */
  platforms?: Platform[];
}

interface Blob {
  mediaType: string;
  digest: string;
  size: number;
}

const OCI = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
};

const CHUNK = 1 << 20;

/** Deterministic incompressible bytes for one layer: the AES-256-CTR keystream of a key derived from the seed. */
function keystream(label: string, size: number): Readable {
  const key = createHash('sha256').update(`${SEED}/${label}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(left, CHUNK);
      left -= n;
      this.push(cipher.update(n === CHUNK ? zeros : zeros.subarray(0, n)));
    },
  });
}

function hashing(hash: ReturnType<typeof createHash>, count: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      count.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

async function writeLayer(dir: string, label: string, size: number): Promise<Blob & { diffId: string }> {
  const pack = tar.pack();
  const data = keystream(label, size);
  const entry = pack.entry({ name: `data/${label.replaceAll('/', '-')}.bin`, size, mtime: new Date(0), mode: 0o644, uid: 0, gid: 0 }, (err) => {
    if (err) pack.destroy(err);
    else pack.finalize();
  });
  data.pipe(entry);
  const tarHash = createHash('sha256');
  const gzHash = createHash('sha256');
  const tarCount = { bytes: 0 };
  const gzCount = { bytes: 0 };
  const tmp = join(dir, 'blobs', 'sha256', `.tmp-${process.pid}-${label.replaceAll('/', '-')}`);
  await pipeline(pack, hashing(tarHash, tarCount), createGzip({ level: 1 }), hashing(gzHash, gzCount), createWriteStream(tmp));
  const hex = gzHash.digest('hex');
  await rename(tmp, join(dir, 'blobs', 'sha256', hex));
  return { mediaType: OCI.layer, digest: `sha256:${hex}`, size: gzCount.bytes, diffId: `sha256:${tarHash.digest('hex')}` };
}

async function writeJson(dir: string, mediaType: string, value: unknown): Promise<Blob> {
  const bytes = Buffer.from(JSON.stringify(value));
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(dir, 'blobs', 'sha256', hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

async function writeImage(dir: string, spec: ImageSpec, platform: Platform): Promise<Blob> {
  const arch = [platform.architecture, platform.variant].filter(Boolean).join('-');
  // Two layers at a time: gzip runs on libuv's pool, cipher and hashes on the main thread, so both cores work.
  const layers: Array<Blob & { diffId: string }> = [];
  for (let i = 0; i < spec.layers; i += 2) {
    const pair = [i, i + 1].filter((n) => n < spec.layers);
    layers.push(...await Promise.all(pair.map((n) => writeLayer(dir, `${spec.name}/${arch}/${n}`, spec.layerBytes))));
  }
  const config = await writeJson(dir, OCI.config, {
    created: '2024-01-02T03:04:05Z',
    ...platform,
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map(() => ({ created: '2024-01-02T03:04:05Z', created_by: 'regctl bench' })),
  });
  return writeJson(dir, OCI.manifest, {
    schemaVersion: 2,
    mediaType: OCI.manifest,
    config,
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  });
}

/**
 * The OCI layout directory holding `spec` (tagged spec.name), generated unless the cache already has it.
 * Returns the layout path.
 */
export async function ensureImage(cacheDir: string, spec: ImageSpec): Promise<string> {
  const key = `${spec.name}-${spec.layers}x${spec.layerBytes}-${spec.platforms?.length ?? 1}p`;
  const dir = join(cacheDir, key);
  if (existsSync(join(dir, 'index.json'))) return dir;
  const building = `${dir}.building`;
  await rm(building, { recursive: true, force: true });
  await mkdir(join(building, 'blobs', 'sha256'), { recursive: true });
  const platforms = spec.platforms ?? [{ os: 'linux', architecture: 'amd64' }];
  const manifests = [];
  for (const platform of platforms) manifests.push({ ...(await writeImage(building, spec, platform)), platform });
  const top = spec.platforms
    ? await writeJson(building, OCI.index, { schemaVersion: 2, mediaType: OCI.index, manifests })
    : manifests[0]!;
  const ref = { mediaType: top.mediaType, digest: top.digest, size: top.size, annotations: { 'org.opencontainers.image.ref.name': spec.name } };
  await writeFile(join(building, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(building, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [ref] }));
  await rm(dir, { recursive: true, force: true });
  await rename(building, dir);
  return dir;
}

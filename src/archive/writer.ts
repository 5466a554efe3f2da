import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { BlobPushResult, DestinationTarget, ManifestPush } from '../content/target.js';
import { verified } from '../content/verify.js';
import { RegctlError } from '../errors.js';
import { verifyBytes } from '../oci/digest.js';
import { parseManifest, type Descriptor } from '../oci/manifest.js';
import { platformMatches, type Platform } from '../oci/platform.js';
import { onInterrupt } from '../util/interrupt.js';
import { blobPath, layoutFiles, OCI_LAYOUT_CONTENT, OCI_LAYOUT_FILE, type SavedImage } from './layout-files.js';

export type ArchiveOutput = { path: string } | { stream: Writable };

export interface ArchiveWriterOptions {
  /** Modification time of every entry (default: the epoch), so that equal input gives an identical tar. */
  mtime?: Date;
  /** For an index saved whole: the platform whose image docker's manifest.json lists (the host's). */
  platform?: Platform;
  /** `docker` (default): docker 25's layout with manifest.json, images named by full references. `oci`: a tar of a
   * plain OCI image layout (skopeo's `oci-archive:`), images named by the ref name they are pushed with, verbatim. */
  format?: 'docker' | 'oci';
}

/**
 * A tarball destination holding several images in the layout docker 25 writes: an OCI image layout
 * (`oci-layout`, `index.json`, `blobs/sha256/…`) plus docker's `manifest.json` and `repositories`. Blobs are
 * stored as given (the registry's compressed layers, each once) and streamed straight into the tar, one entry
 * at a time, checked against their digest on the way; a mismatch aborts the whole archive. Each top manifest
 * a copy pushes becomes an image of the archive, named by the tag it is pushed with (a full reference, or none);
 * docker's manifest.json entry is derived from it (for an index, from the child of the writer's platform).
 * {@link commit} writes the metadata and, for a file, renames the temp file into place.
 */
export class ArchiveWriter implements DestinationTarget {
  readonly description: string;
  private readonly pack: Pack = tarPack();
  private readonly sink: Promise<void>;
  private readonly tmp: string | undefined;
  private readonly path: string | undefined;
  private readonly mtime: Date;
  private readonly blobs = new Map<string, number>();
  private readonly images: SavedImage[] = [];
  private readonly manifests = new Map<string, Buffer>();
  private readonly platform: Platform | undefined;
  private readonly format: 'docker' | 'oci';
  private queue: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private state: 'open' | 'committed' | 'aborted' = 'open';
  /** Unregisters the temp file's removal on interrupt (the CLI's Ctrl-C handler runs it). */
  private forgetTmp: () => void = () => undefined;

  constructor(out: ArchiveOutput, opts: ArchiveWriterOptions = {}) {
    this.mtime = opts.mtime ?? new Date(0);
    this.platform = opts.platform;
    this.format = opts.format ?? 'docker';
    const prefix = this.format === 'oci' ? 'oci-archive' : 'docker-archive';
    let target: Writable;
    if ('path' in out) {
      this.path = out.path;
      this.tmp = join(dirname(out.path), `.${basename(out.path)}.tmp-${randomBytes(6).toString('hex')}`);
      target = createWriteStream(this.tmp, { flags: 'wx', mode: 0o644 });
      const tmp = this.tmp;
      this.forgetTmp = onInterrupt(() => rmSync(tmp, { force: true }));
      this.description = `${prefix}:${out.path}`;
    } else {
      target = out.stream;
      this.description = `${prefix}:-`;
    }
    this.sink = pipeline(this.pack as unknown as Readable, target);
    this.sink.catch((err: unknown) => this.fail(err as Error));
    void this.enqueue(async () => {
      await this.entry({ name: OCI_LAYOUT_FILE }, Buffer.from(OCI_LAYOUT_CONTENT));
      await this.entry({ name: 'blobs/', type: 'directory', mode: 0o755 });
      await this.entry({ name: 'blobs/sha256/', type: 'directory', mode: 0o755 });
    }).catch(() => undefined);
  }

  async hasBlob(desc: Descriptor): Promise<boolean> {
    return this.blobs.get(desc.digest) === desc.size;
  }

  async hasManifest(desc: Descriptor): Promise<boolean> {
    return this.hasBlob(desc);
  }

  async pushBlob(desc: Descriptor, open: () => Promise<Readable>): Promise<BlobPushResult> {
    this.checkOpen();
    if (this.blobs.has(desc.digest)) return this.enqueue(async () => 'exists' as const);
    this.blobs.set(desc.digest, desc.size);
    return this.enqueue(async () => {
      const source = await open();
      try {
        await this.entry({ name: blobPath(desc.digest), size: desc.size }, verified(source, desc, `blob ${desc.digest}`));
      } catch (err) {
        source.destroy();
        throw this.fail(err as Error);
      }
      return 'pushed' as const;
    });
  }

  async pushManifest(desc: Descriptor, bytes: Buffer, how: ManifestPush = {}): Promise<void> {
    this.checkOpen();
    verifyBytes(desc, bytes, `manifest ${desc.digest}`);
    this.manifests.set(desc.digest, bytes);
    await this.pushBlob(desc, async () => Readable.from([bytes]));
    if (how.top) {
      const top = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
      const image = this.format === 'docker' ? this.dockerImage(top) : undefined;
      this.images.push({ ...(how.tag === undefined ? {} : { name: how.tag }), top, ...(image ? { image } : {}) });
    }
  }

  /** The single-platform image docker's manifest.json lists for a top manifest, when the archive holds one. */
  private dockerImage(top: Descriptor): SavedImage['image'] | undefined {
    let desc = top;
    let doc = parseManifest(this.manifests.get(desc.digest)!, desc.mediaType, desc.digest);
    if (doc.kind === 'index') {
      const want = this.platform;
      const child = want && doc.manifests.find((d) => d.platform && platformMatches(want, d.platform) && this.manifests.has(d.digest));
      if (!child) return undefined;
      desc = { mediaType: child.mediaType, digest: child.digest, size: child.size };
      doc = parseManifest(this.manifests.get(desc.digest)!, desc.mediaType, desc.digest);
      if (doc.kind !== 'image') return undefined;
    }
    // Foreign layers left out of the archive: docker could not load the image, so manifest.json does not list it.
    if (!doc.layers.every((l) => this.blobs.has(l.digest))) return undefined;
    return { manifest: desc, configDigest: doc.config.digest, layerDigests: doc.layers.map((l) => l.digest) };
  }

  async commit(): Promise<void> {
    this.checkOpen();
    await this.queue;
    if (this.failure) throw this.failure;
    const needed = this.images.flatMap((i) => [i.top.digest, ...(i.image ? [i.image.manifest.digest, i.image.configDigest, ...i.image.layerDigests] : [])]);
    const missing = needed.find((d) => !this.blobs.has(d));
    if (missing) throw new RegctlError('ERR_ARCHIVE_INCOMPLETE', `archive is incomplete: ${missing} was named but never stored`);
    for (const [name, content] of layoutFiles(this.images, this.format)) await this.enqueue(() => this.entry({ name }, Buffer.from(content)));
    this.pack.finalize();
    await this.sink;
    if (this.failure) throw this.failure;
    if (this.tmp && this.path) await rename(this.tmp, this.path);
    this.forgetTmp();
    this.state = 'committed';
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.fail(new RegctlError('ERR_ARCHIVE_ABORTED', 'archive aborted'));
    await this.sink.catch(() => undefined);
    if (this.tmp) await rm(this.tmp, { force: true });
    this.forgetTmp();
  }

  private checkOpen(): void {
    if (this.failure) throw this.failure;
    if (this.state !== 'open') throw new RegctlError('ERR_ARCHIVE_CLOSED', `${this.description} is already ${this.state}`);
  }

  /** Tar entries are sequential: each task runs after the previous one finished. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.failure) throw this.failure;
      return task();
    });
    this.queue = run.then(() => undefined, () => undefined);
    return run;
  }

  private async entry(header: { name: string; size?: number; type?: 'directory'; mode?: number }, body?: Buffer | Readable): Promise<void> {
    const full = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: this.mtime, ...header };
    if (body === undefined || Buffer.isBuffer(body)) {
      await new Promise<void>((resolve, reject) => this.pack.entry(full, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
      return;
    }
    let sink!: ReturnType<Pack['entry']>;
    const done = new Promise<void>((resolve, reject) => {
      sink = this.pack.entry(full, (err) => (err ? reject(err) : resolve()));
    });
    sink.on('error', () => undefined); // reported through the entry callback
    try {
      await copyInto(body, sink);
      sink.end(undefined);
    } catch (err) {
      sink.destroy(err as Error);
      await done.catch(() => undefined);
      throw err;
    }
    await done;
  }

  /** Records the first failure and tears the tar down: a partial archive is never left looking complete. */
  private fail(err: Error): Error {
    this.failure ??= err;
    this.pack.destroy(this.failure);
    if (this.tmp && this.state !== 'committed') void rm(this.tmp, { force: true }).catch(() => undefined);
    return this.failure;
  }
}

/**
 * Moves `body` into a tar entry chunk by chunk with backpressure (an async iterator over `body` would concatenate
 * whatever had queued up: a copy of every byte).
 */
function copyInto(body: Readable, sink: ReturnType<Pack['entry']>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (body.errored) return reject(body.errored);
    const resume = () => body.resume();
    const settle = (err?: Error) => {
      body.off('data', onData).off('end', onEnd).off('error', settle);
      sink.off('drain', resume).off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      if (!sink.write(chunk)) body.pause();
    };
    const onEnd = () => settle();
    const onClose = () => settle(new RegctlError('ERR_ARCHIVE_ABORTED', 'archive entry closed early'));
    body.on('data', onData).once('end', onEnd).once('error', settle);
    sink.on('drain', resume).once('close', onClose);
  });
}

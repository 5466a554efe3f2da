import { lutimes, open, readdir, readFile, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isReferrersTag } from '../content/referrers.js';
import { ConfigError, IntegrityError, NotFoundError, UsageError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { verifyBytes } from '../oci/digest.js';
import { atomicWriteFile } from '../util/atomic-write.js';
import { MAX_MANIFEST_BYTES } from '../util/limits.js';
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME, blobPath, emptyIndex, entryName, INDEX_FILE, nameAnnotations, OCI_LAYOUT_FILE } from '../oci/layout-format.js';
import { withLock, type LockOptions } from '../util/lock.js';
import { sweepDead } from './sweep.js';
import { isDiskFull, lstatOrUndefined, openBlobFile, writeBlobFile, type BlobOpener } from './blob-file.js';
import { parseJson } from '../oci/json.js';
import { makeDir } from '../util/make-dir.js';

/** The tag (plain layouts) or full name (the store) of an entry; skopeo's `oci:DIR:NAME` matches this one. */
export const REF_NAME = ANNOTATION_REF_NAME;
/** The full normalized image name (`docker.io/library/alpine:latest`), as containerd and docker ≥ 25 write it. */
export const CONTAINERD_NAME = ANNOTATION_IMAGE_NAME;
export { entryName };

export interface LayoutIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
  [key: string]: unknown;
}

const LAYOUT_FILE = OCI_LAYOUT_FILE;
const OWN_FILES = new Set(['blobs', INDEX_FILE]);
/** Disk space the private store holds back so that removing images works on a full disk (see withLock). */
const RESERVE_FILE = '.reserve';
const RESERVE_BYTES = 64 * 1024;

/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`): the local store and user
 * `oci:DIR[:TAG]` directories alike. Blobs are written to a temp file beside their final place, verified while
 * streaming, fsynced and renamed, so a reader never sees a partial blob. index.json is rewritten (temp + rename)
 * under an exclusive lock file, so concurrent processes never lose each other's updates. Symlinks are refused.
 */
export class OciLayout {
  readonly dir: string;
  readonly lockOptions: LockOptions;

  /** The mode a directory this layout creates gets (0700 for the private store; else the umask's). */
  private readonly mode: number | undefined;

  private constructor(dir: string, lockOptions: LockOptions, mode?: number) {
    this.dir = dir;
    this.lockOptions = lockOptions;
    this.mode = mode;
  }

  /** Modes of the files it writes: private (0600, blobs 0400) in the private store, else readable by all. */
  private get fileMode(): number {
    return this.mode === undefined ? 0o644 : 0o600;
  }

  private get blobMode(): number {
    return this.mode === undefined ? 0o444 : 0o400;
  }

  /**
   * Opens the layout at `dir`; with `create`, makes it (or completes a half-made one) when absent, and first sweeps
   * away what dead processes left: their temp blobs become resumable partials, their leases go (see partial.ts).
   * Creation is race-free: the directory is checked and filled under the layout's lock, so processes creating the
   * same store at once all succeed (and one that waits sees the other's layout, not a "non-empty" directory).
   */
  static async open(dir: string, opts: { create: boolean; lock?: LockOptions; private?: boolean }): Promise<OciLayout> {
    const layout = new OciLayout(dir, opts.lock ?? {}, opts.private ? 0o700 : undefined);
    const st = await stat(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new ConfigError(`cannot open OCI layout ${dir}: ${err.message}`, { cause: err });
    });
    if (st && !st.isDirectory()) throw new ConfigError(`${dir} is not a directory, so it cannot be an OCI image layout`);
    if (!st && !opts.create) throw new NotFoundError(`no OCI image layout at ${dir}: the directory does not exist`, { code: 'ERR_LAYOUT_NOT_FOUND' });
    if (!(st && (await layout.readLayoutFile()))) {
      if (!opts.create) {
        throw new NotFoundError(`${dir} is not an OCI image layout (it has no ${LAYOUT_FILE} file)`, { code: 'ERR_LAYOUT_NOT_FOUND' });
      }
      await layout.create();
    }
    if (opts.create) await sweepDead(dir);
    return layout;
  }

  private async create(): Promise<void> {
    const dir = this.dir;
    await makeDir(dir, this.mode);
    await this.withLock(async () => {
      if (await this.readLayoutFile()) return; // another process made it while we waited for the lock
      // What a creator (or one that died half-way) leaves is not "someone else's content".
      const foreign = (await readdir(dir)).filter((n) => !n.startsWith('.') && !OWN_FILES.has(n) && !n.startsWith(`${INDEX_FILE}.lock`));
      if (foreign.length > 0) {
        throw new ConfigError(`${dir} is not empty and is not an OCI image layout (no ${LAYOUT_FILE} file); refusing to write into it`);
      }
      await makeDir(join(dir, 'blobs', 'sha256'));
      const index = join(dir, INDEX_FILE);
      if (!(await exists(index))) await atomicWriteFile(index, `${JSON.stringify(emptyIndex())}\n`, this.fileMode);
      await atomicWriteFile(join(dir, LAYOUT_FILE), `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`, this.fileMode);
    });
  }

  /** `DIR/blobs/<alg>/<hex>`; IntegrityError for anything but a well-formed sha256/sha512 digest. */
  blobPath(digest: string): string {
    return join(this.dir, blobPath(digest, `OCI layout ${this.dir}`));
  }

  /** True when the blob is a regular file (not a symlink) of exactly `desc.size` bytes. */
  async hasBlob(desc: Descriptor): Promise<boolean> {
    const st = await lstatOrUndefined(this.blobPath(desc.digest));
    return !!st && st.isFile() && st.size === desc.size;
  }

  /** The size of the blob's file (a regular file, not a symlink), or undefined when there is none. */
  async blobSize(desc: Descriptor): Promise<number | undefined> {
    const st = await lstatOrUndefined(this.blobPath(desc.digest));
    return st && st.isFile() ? st.size : undefined;
  }

  /** Marks a reused blob as recently used, so a concurrent gc keeps it for a transfer's lease; false if gone. */
  async touchBlob(desc: Descriptor): Promise<boolean> {
    const now = new Date();
    try {
      await lutimes(this.blobPath(desc.digest), now, now);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** A stream of the blob from `offset`. NotFoundError when absent; IntegrityError for a symlink or a wrong size. */
  async openBlob(desc: Descriptor, offset = 0): Promise<Readable> {
    const fh = await this.openBlobHandle(desc);
    return fh.createReadStream({ start: Math.min(Math.max(0, offset), desc.size) });
  }

  /** The whole blob (manifests, configs), checked against digest and size; refuses more than `limit` bytes. */
  async readBlob(desc: Descriptor, limit = MAX_MANIFEST_BYTES): Promise<Buffer> {
    if (desc.size > limit) throw new IntegrityError(`blob ${desc.digest} is ${desc.size} bytes, more than the ${limit} allowed for a manifest or config`, { code: 'ERR_MANIFEST_TOO_LARGE' });
    const fh = await this.openBlobHandle(desc);
    let data: Buffer;
    try {
      data = await fh.readFile();
    } finally {
      await fh.close();
    }
    return verifyBytes(desc, data, `layout blob ${desc.digest} in ${this.dir} is corrupt`);
  }

  /**
   * Stores a blob from a stream, verifying digest and size in flight. The bytes go to `blobs/<alg>/.tmp-…`, are
   * fsynced and renamed into place; nothing partial becomes visible. Given an opener that can start at a byte
   * offset, the write resumes a partial an earlier transfer left (see partial.ts) and, when stopped, leaves one.
   * A blob already present with the right size is kept ('exists').
   */
  async writeBlob(desc: Descriptor, data: Readable | BlobOpener): Promise<'written' | 'exists'> {
    const path = this.blobPath(desc.digest);
    if (await this.hasBlob(desc)) {
      if (typeof data !== 'function') data.destroy();
      return 'exists';
    }
    if (typeof data === 'function') await writeBlobFile(path, desc, data, true, this.blobMode);
    else await writeBlobFile(path, desc, async () => data, false, this.blobMode);
    return 'written';
  }

  /** index.json (an empty index when the file is missing). IntegrityError when it is not a valid index. */
  async readIndex(): Promise<LayoutIndex> {
    let text: string;
    try {
      text = await readFile(join(this.dir, INDEX_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex();
      throw err;
    }
    let doc: LayoutIndex;
    try {
      doc = parseJson(text, join(this.dir, INDEX_FILE)) as LayoutIndex;
    } catch (err) {
      throw new IntegrityError(`${join(this.dir, INDEX_FILE)} is not valid JSON`, { cause: err, code: 'ERR_LAYOUT_INDEX' });
    }
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.manifests)) {
      throw new IntegrityError(`${join(this.dir, INDEX_FILE)} is not an image index (no "manifests" list)`, { code: 'ERR_LAYOUT_INDEX' });
    }
    return doc;
  }

  /** Read-modify-write of index.json under the layout's lock; `fn` may mutate the index or return a new one. */
  async updateIndex(fn: (index: LayoutIndex) => LayoutIndex | void | Promise<LayoutIndex | void>): Promise<LayoutIndex> {
    return this.withLock(async () => {
      const index = await this.readIndex();
      const next = (await fn(index)) ?? index;
      await writeIndexFile(join(this.dir, INDEX_FILE), `${JSON.stringify(next)}\n`, this.fileMode);
      return next;
    });
  }

  /** Runs `fn` holding the layout's lock (`index.json.lock`). */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const locked = () => withLock(join(this.dir, `${INDEX_FILE}.lock`), fn, this.lockOptions);
    if (this.mode === undefined) return locked();
    // The private store keeps a reserve of disk space: on a full disk it is given up for this one change (an rmi,
    // to free space), then taken again when there is room.
    try {
      const result = await locked();
      await this.reserve();
      return result;
    } catch (err) {
      if (!isDiskFull(err) || !(await rm(join(this.dir, RESERVE_FILE)).then(() => true, () => false))) throw err;
      return locked();
    }
  }

  /** Writes the reserve file when it is missing (best effort: no room is no error). */
  private async reserve(): Promise<void> {
    const path = join(this.dir, RESERVE_FILE);
    if (await lstatOrUndefined(path)) return;
    await atomicWriteFile(path, Buffer.alloc(RESERVE_BYTES), 0o600).catch(() => undefined);
  }

  /**
   * The entry called `name`: by `io.containerd.image.name`, else by `org.opencontainers.image.ref.name`.
   * Without a name, the layout's only entry. NotFoundError when absent; UsageError when ambiguous.
   */
  async resolve(name?: string): Promise<Descriptor> {
    const all = (await this.readIndex()).manifests;
    // Without a name, referrer listings and cosign's digest tags are not candidates for "the only image".
    const entries = name === undefined ? all.filter((e) => !isReferrersTag(entryName(e) ?? '')) : all;
    const found = name === undefined ? entries : entries.filter((e) => e.annotations?.[CONTAINERD_NAME] === name);
    const matches = found.length > 0 || name === undefined ? found : entries.filter((e) => e.annotations?.[REF_NAME] === name);
    if (matches.length === 1) return matches[0]!;
    const what = name === undefined ? 'an image' : JSON.stringify(name);
    if (matches.length === 0) throw new NotFoundError(`${what} not found in OCI layout ${this.dir}`, { code: 'ERR_LAYOUT_NOT_FOUND' });
    const names = matches.map((e) => entryName(e) ?? e.digest).join(', ');
    throw new UsageError(`${what} is ambiguous in OCI layout ${this.dir}: ${matches.length} images match (${names})`, {
      hint: `name one of them: ${this.dir}:TAG`,
    });
  }

  /** A manifest of the layout by digest: its index entry's descriptor when it has one, else the blob's own. */
  async resolveDigest(digest: string): Promise<Descriptor> {
    const entry = (await this.readIndex()).manifests.find((e) => e.digest === digest);
    if (entry) return { mediaType: entry.mediaType, digest, size: entry.size };
    const st = await lstatOrUndefined(this.blobPath(digest));
    if (!st?.isFile()) throw new NotFoundError(`manifest ${digest} not found in OCI layout ${this.dir}`, { code: 'ERR_LAYOUT_NOT_FOUND' });
    const bytes = await this.readBlob({ mediaType: '', digest, size: st.size });
    let mediaType = '';
    try {
      const doc = parseJson(bytes, digest) as { mediaType?: unknown };
      if (typeof doc.mediaType === 'string') mediaType = doc.mediaType;
    } catch {
      // not JSON: not a manifest; the copy's parse says so
    }
    return { mediaType, digest, size: st.size };
  }

  /**
   * Points `name` at `desc`, replacing any entry of that name. A full image name (with "/") is written as
   * `io.containerd.image.name` and, unless `refName` says otherwise, as `org.opencontainers.image.ref.name` too;
   * a plain tag (`v1`), or any name with `plain` (user layouts: `oci:DIR:a/b`), only as
   * `org.opencontainers.image.ref.name` (what skopeo's `oci:DIR:v1` looks up).
   */
  async tag(name: string, desc: Descriptor, opts: { refName?: string; plain?: boolean } = {}): Promise<void> {
    const full = name.includes('/') && !opts.plain;
    const annotations = nameAnnotations(full ? { full: name, ref: opts.refName ?? name } : { ref: opts.refName ?? name });
    const entry: Descriptor = { mediaType: desc.mediaType, digest: desc.digest, size: desc.size, annotations };
    if (desc.platform) entry.platform = desc.platform;
    await this.updateIndex((index) => {
      index.manifests = index.manifests.filter((e) => entryName(e) !== name);
      index.manifests.push(entry);
    });
  }

  /** Records `desc` as an unnamed entry (addressed by digest; kept by gc), once. */
  async addUnnamed(desc: Descriptor): Promise<void> {
    await this.updateIndex((index) => {
      if (index.manifests.some((e) => e.digest === desc.digest && entryName(e) === undefined)) return;
      index.manifests.push({ mediaType: desc.mediaType, digest: desc.digest, size: desc.size });
    });
  }

  /** Removes the entry called `name`; returns what was removed (empty when there was none). */
  async untag(name: string): Promise<Descriptor[]> {
    return this.removeEntries((e) => entryName(e) === name);
  }

  /** Removes every index entry matching `pred`, under the lock; returns the removed entries. */
  async removeEntries(pred: (entry: Descriptor) => boolean): Promise<Descriptor[]> {
    let removed: Descriptor[] = [];
    await this.updateIndex((index) => {
      removed = index.manifests.filter(pred);
      index.manifests = index.manifests.filter((e) => !pred(e));
    });
    return removed;
  }

  /** The index entries (descriptors with their name annotations). */
  async list(): Promise<Descriptor[]> {
    return (await this.readIndex()).manifests;
  }

  private async readLayoutFile(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(join(this.dir, LAYOUT_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new ConfigError(`cannot read ${join(this.dir, LAYOUT_FILE)}: ${(err as Error).message}`, { cause: err });
    }
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      version = undefined;
    }
    if (typeof version !== 'string' || !version.startsWith('1.')) {
      throw new ConfigError(`${join(this.dir, LAYOUT_FILE)} does not declare a supported imageLayoutVersion (want 1.x)`);
    }
    return true;
  }

  private openBlobHandle(desc: Descriptor): Promise<FileHandle> {
    return openBlobFile(this.blobPath(desc.digest), desc, this.dir);
  }
}

async function exists(path: string): Promise<boolean> {
  return (await lstatOrUndefined(path)) !== undefined;
}

/**
 * Writes index.json atomically (temp file + rename). On a full disk, an index no larger than the old one (a
 * removal: rmi, the sweep) is written over the old one in place instead, in blocks the file already holds, so
 * images can still be removed to free space; the lock keeps other regctl processes from reading it meanwhile.
 */
async function writeIndexFile(path: string, text: string, mode: number): Promise<void> {
  try {
    await atomicWriteFile(path, text, mode);
  } catch (err) {
    const bytes = Buffer.from(text);
    const old = (await lstatOrUndefined(path))?.size ?? 0;
    if (!isDiskFull(err) || old < bytes.length) throw err;
    const fh = await open(path, 'r+');
    try {
      await fh.write(bytes, 0, bytes.length, 0);
      await fh.truncate(bytes.length);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

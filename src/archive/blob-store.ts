import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { IntegrityError, NotFoundError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import type { ArchiveFile, ArchiveTree } from './archive-tree.js';

import { MAX_METADATA_BYTES } from '../util/limits.js';

/**
 * The content of an extracted archive addressed by digest: the files under `blobs/<alg>/` (each checked against
 * its name when it was extracted) plus files named by docker's manifest.json, and synthesized manifests in memory.
 */
export class ArchiveBlobs {
  private readonly files = new Map<string, ArchiveFile>();
  private readonly memory = new Map<string, Buffer>();

  constructor(tree: ArchiveTree) {
    for (const file of tree.files()) {
      const m = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(file.name);
      if (!m) continue;
      const named = `${m[1]}:${m[2]}`;
      if (m[1] === 'sha256' && named !== file.digest) {
        throw new IntegrityError(`archive is corrupt: blob ${file.name} holds content with digest ${file.digest}`, { code: 'ERR_DIGEST_MISMATCH' });
      }
      // Other algorithms are checked when read (VerifyingStream in the copy).
      this.files.set(named, file);
    }
  }

  /** Adds a file named by manifest.json (legacy layouts), addressed by the digest of its content. */
  addFile(file: ArchiveFile): void {
    if (!this.files.has(file.digest)) this.files.set(file.digest, file);
  }

  /** Adds bytes made here (a synthesized manifest); returns their digest. */
  addBytes(bytes: Buffer): string {
    const digest = sha256Digest(bytes);
    this.memory.set(digest, bytes);
    return digest;
  }

  has(digest: string): boolean {
    return this.files.has(digest) || this.memory.has(digest);
  }

  /** The file holding a blob (undefined for in-memory and absent blobs). */
  file(digest: string): ArchiveFile | undefined {
    return this.files.get(digest);
  }

  size(digest: string): number | undefined {
    return this.memory.get(digest)?.length ?? this.files.get(digest)?.size;
  }

  /** A small blob (manifest, index, config) read whole. NotFoundError when the archive lacks it. */
  async read(digest: string, what: string): Promise<Buffer> {
    const mem = this.memory.get(digest);
    if (mem) return mem;
    const file = this.files.get(digest);
    if (!file) throw new NotFoundError(`${what} ${digest} is not in the archive`, { code: 'ERR_BLOB_UNKNOWN' });
    if (file.size > MAX_METADATA_BYTES) throw new IntegrityError(`${what} ${digest} is too large (${file.size} bytes)`, { code: 'ERR_ARCHIVE_CORRUPT' });
    const bytes = await readFile(file.file);
    if (sha256Digest(bytes) !== file.digest) throw new IntegrityError(`${what} ${digest} changed on disk`, { code: 'ERR_DIGEST_MISMATCH' });
    return bytes;
  }

  /** A blob's bytes from `offset`. NotFoundError when the archive lacks it. */
  open(digest: string, offset = 0): Readable {
    const mem = this.memory.get(digest);
    if (mem) return Readable.from([mem.subarray(offset)]);
    const file = this.files.get(digest);
    if (!file) throw new NotFoundError(`blob ${digest} is not in the archive`, { code: 'ERR_BLOB_UNKNOWN' });
    return createReadStream(file.file, { start: offset });
  }
}

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { IntegrityError } from '../errors.js';
import { digestAlgorithm } from '../ref/digest-algorithms.js';
import { abortable, stopped } from '../util/abort.js';

/**
 * Unpacks a directory layer (oras's tar+gzip, every entry under the layer's title) into `dir`, which the caller
 * created empty: `title/x` is written as `dir/x`. Hostile entries fail the whole layer (IntegrityError, exit 6): a
 * name outside the title or with `..`, an absolute symlink or one that leads out of the directory, a hard link to
 * anything but a file unpacked before it, or an entry that would be written through a symlink. Files lose setuid,
 * setgid and sticky bits; devices, fifos and sockets are left out. `tarDigest` (oras's
 * `io.deis.oras.content.digest`) is checked against the uncompressed bytes once they have all passed. A gzip bomb (the
 * tar growing past `bomb.ratio` times the layer's size, with some slack) is refused while it is still small.
 */
export async function unpackDirectory(gz: Readable, dir: string, title: string, tarDigest: string | undefined, what: string, bomb: BombLimit, signal?: AbortSignal): Promise<void> {
  const hostile = (entry: string, why: string) => new IntegrityError(`${what}: refusing the entry ${JSON.stringify(entry)}: ${why}`, { code: 'ERR_UNSAFE_PATH' });
  // oras checks the tar's digest when its annotation parses as one (and ignores it otherwise): the layer's own digest
  // has already covered every byte
  const algorithm = tarDigest === undefined ? undefined : digestAlgorithm(tarDigest);
  const hash = createHash(algorithm ?? 'sha256');
  const most = bomb.compressedSize * bomb.ratio + EXPANSION_SLACK;
  let total = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length;
      if (total > most) {
        done(new IntegrityError(`${what}: refused: it expands more than ${bomb.ratio} times its compressed size (a gzip bomb?)`, {
          code: 'ERR_ARCHIVE_BOMB',
          hint: `if the layer is genuine, allow more with REGCTL_MAX_EXPANSION_RATIO (now ${bomb.ratio})`,
        }));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const ex = extract();
  const symlinks = new Set<string>();
  const files = new Set<string>();
  /** The entry's path under `dir` ('' for the title itself), or a refusal. */
  const relative = (name: string): string => {
    if (name.includes('\0') || name.includes('\\') || posix.isAbsolute(name)) throw hostile(name, 'not a relative path');
    const parts = name.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.includes('..')) throw hostile(name, '".." would leave the directory');
    const prefix = title.split('/');
    if (parts.length < prefix.length || prefix.some((p, i) => parts[i] !== p)) throw hostile(name, `not under "${title}"`);
    const rel = parts.slice(prefix.length);
    for (let i = 1; i <= rel.length; i++) {
      if (symlinks.has(rel.slice(0, i).join('/')) && i < rel.length) throw hostile(name, 'it would be written through a symlink');
    }
    return rel.join('/');
  };
  /** Makes way for a new entry at `rel`: whatever an earlier entry left there goes (a symlink is removed, never followed). */
  const clear = async (rel: string) => {
    symlinks.delete(rel);
    files.delete(rel);
    await rm(join(dir, rel), { recursive: true, force: true });
  };
  /** One entry into place, or a refusal. */
  const unpackEntry = async (entry: { header: Header }): Promise<void> => {
    const body = entry as unknown as Readable;
    const h = entry.header;
    const rel = relative(h.name);
    const path = join(dir, rel);
    if (rel !== '') await mkdir(join(dir, posix.dirname(rel)), { recursive: true });
    switch (h.type) {
      case 'directory': {
        const st = await lstat(path).catch(() => undefined);
        if (st && !st.isDirectory()) await clear(rel);
        await mkdir(path, { recursive: true });
        break;
      }
      case 'file':
      case 'contiguous-file':
        if (rel === '') throw hostile(h.name, 'the directory itself cannot be a file');
        await clear(rel);
        await pipeline(body, createWriteStream(path, { flags: 'wx', mode: (h.mode ?? 0o644) & 0o777 }));
        await chmod(path, (h.mode ?? 0o644) & 0o777);
        files.add(rel);
        break;
      case 'symlink': {
        const target = h.linkname ?? '';
        if (rel === '') throw hostile(h.name, 'the directory itself cannot be a symlink');
        if (posix.isAbsolute(target) || target.includes('\\')) throw hostile(h.name, `its symlink target ${JSON.stringify(target)} is absolute`);
        const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
        if (resolved === '..' || resolved.startsWith('../')) throw hostile(h.name, `its symlink target ${JSON.stringify(target)} leads out of the directory`);
        await clear(rel);
        await symlink(target, path);
        symlinks.add(rel);
        break;
      }
      case 'link': {
        const target = relative(h.linkname ?? '');
        if (!files.has(target)) throw hostile(h.name, `its hard link target ${JSON.stringify(h.linkname)} is not a file unpacked before it`);
        await clear(rel);
        await link(join(dir, target), path);
        files.add(rel);
        break;
      }
      default:
        break; // devices, fifos, sockets: not files an artifact carries
    }
    body.resume();
  };
  try {
    const tarBytes = abortable(gz, signal).pipe(createGunzip());
    gz.on('error', (err) => tarBytes.destroy(err));
    const flowing = pipeline(tarBytes, tap, ex as unknown as NodeJS.WritableStream);
    flowing.catch(() => undefined);
    // a failure upstream (a digest mismatch, a bomb, a broken gzip) may leave the entry being written waiting forever
    const failed = new Promise<never>((_, reject) => flowing.catch(reject));
    failed.catch(() => undefined);
    for await (const entry of ex) await Promise.race([unpackEntry(entry), failed]);
    await flowing;
  } catch (err) {
    ex.destroy();
    throw stopped(err instanceof IntegrityError ? err : corrupt(what, err), signal);
  }
  if (tarDigest !== undefined && algorithm) {
    const actual = `${algorithm}:${hash.digest('hex')}`;
    if (actual !== tarDigest) {
      throw new IntegrityError(`${what}: the unpacked tar's digest is ${actual}, not the ${tarDigest} its annotation says`, { code: 'ERR_DIGEST_MISMATCH' });
    }
  }
}

/** How far a directory layer's tar may grow: `ratio` times the layer's (compressed) size. */
export interface BombLimit {
  compressedSize: number;
  ratio: number;
}

/** How far past the ratio a tar may run (headers, padding, a small first file), as for archives. */
const EXPANSION_SLACK = 16 * 1024 * 1024;

function corrupt(what: string, err: unknown): unknown {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('Z_')) {
    return new IntegrityError(`${what}: not a gzip stream (${err.message})`, { code: 'ERR_ARCHIVE_CORRUPT', cause: err });
  }
  return err;
}

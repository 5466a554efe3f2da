import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { verified } from '../content/verify.js';
import type { SourceTarget } from '../content/target.js';
import { NotFoundError, UsageError } from '../errors.js';
import { imageBlobs, type Descriptor } from '../oci/manifest.js';
import { readManifest } from '../content/resolve.js';
import { parseDigest, parseReference } from '../ref/parse.js';
import { downloadBlob } from '../registry/blob-download.js';
import { blobSize, deleteBlob, uploadBytes, uploadChunked } from '../registry/blobs.js';
import type { RegistryClient } from '../transport/registry-client.js';
import type { OpsContext } from './context.js';
import { sideClient, sideContext, type WithCredentials } from './credentials.js';
import { locationRegistries, parseLocation } from './transports/index.js';

/** Blobs up to this size are sent in one PUT; larger ones (and stdin past it) in PATCH chunks of this size. */
export const BLOB_CHUNK_SIZE = 16 * 1024 * 1024;

export interface BlobRead {
  /** Digest and size (media type `application/octet-stream` where the source does not say). */
  descriptor: Descriptor;
  /** The bytes, checked against digest and size as they stream (an IntegrityError at the end otherwise). */
  stream: Readable;
}

/**
 * A blob by digest: `REPO@DIGEST`, or `LOCATION` and `digest` apart (`REPO sha256:…`, `oci:DIR[:REF] sha256:…`,
 * `local:IMAGE sha256:…`, archives). A registry is asked directly; elsewhere the blob must belong to the image
 * the location names (its config or a layer, in any of an index's images).
 */
export async function blobGet(ctx: OpsContext, location: string, digest?: string, opts: WithCredentials = {}): Promise<BlobRead> {
  const at = await openBlobSource(await sideContext(ctx, locationRegistries(location), opts.credentials), location, digest);
  try {
    const checked = verified(await at.open(), at.descriptor, `blob ${at.descriptor.digest} of ${at.description}`);
    void finished(checked).catch(() => undefined).finally(() => void at.close());
    return { descriptor: at.descriptor, stream: checked };
  } catch (err) {
    await at.close();
    throw err;
  }
}

/** Digest and size of a blob, as blobGet finds it (one HEAD at a registry), without reading it. */
export async function blobHead(ctx: OpsContext, location: string, digest?: string, opts: WithCredentials = {}): Promise<Descriptor> {
  const at = await openBlobSource(await sideContext(ctx, locationRegistries(location), opts.credentials), location, digest);
  await at.close();
  return at.descriptor;
}

/** What blobPut uploads: a file, or a stream of bytes. */
export type BlobInput = { path: string } | { stream: AsyncIterable<Uint8Array> };

/** A blob uploaded: its digest and size. */
export interface BlobPutResult {
  digest: string;
  size: number;
}

/** Uploads a file or a stream to a registry repository; returns its digest and size. */
export async function blobPut(ctx: OpsContext, repository: string, input: BlobInput, opts: WithCredentials = {}): Promise<BlobPutResult> {
  const ref = registryRepository(repository);
  const client = await sideClient(ctx, ref.registry, opts.credentials);
  if ('path' in input) {
    const st = await stat(input.path).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${input.path}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    if (!st.isFile()) throw new UsageError(`${input.path} is not a file`);
    return sendBlob(client, ref.repository, createReadStream(input.path));
  }
  return sendBlob(client, ref.repository, input.stream);
}

/** One PUT for what fits in a chunk; PATCH chunks for more (the digest is known only at the end). */
async function sendBlob(client: RegistryClient, repository: string, data: AsyncIterable<Uint8Array>): Promise<BlobPutResult> {
  const it = data[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let held = 0;
  while (held <= BLOB_CHUNK_SIZE) {
    const next = await it.next();
    if (next.done) return uploadBytes(client, repository, Buffer.concat(head));
    head.push(Buffer.from(next.value));
    held += next.value.length;
  }
  async function* rest(): AsyncIterable<Buffer> {
    yield* head;
    for (let next = await it.next(); !next.done; next = await it.next()) yield Buffer.from(next.value);
  }
  return uploadChunked(client, repository, rest(), BLOB_CHUNK_SIZE);
}

/** A blob deleted: its repository (`registry/repository`) and digest. */
export interface BlobDeleteResult {
  repository: string;
  digest: string;
}

/** Deletes a blob from a registry repository (`REPO@DIGEST`, or `REPO` and the digest). */
export async function blobDelete(ctx: OpsContext, repository: string, digest?: string, opts: WithCredentials = {}): Promise<BlobDeleteResult> {
  const { ref, blob } = registryBlob(repository, digest);
  await deleteBlob(await sideClient(ctx, ref.registry, opts.credentials), ref.repository, blob);
  return { repository: `${ref.registry}/${ref.repository}`, digest: blob };
}

interface BlobAt {
  description: string;
  descriptor: Descriptor;
  open(): Promise<Readable>;
  close(): Promise<void>;
}

async function openBlobSource(ctx: OpsContext, location: string, digest?: string): Promise<BlobAt> {
  const loc = parseLocation(location);
  if (loc.transport.name === 'docker') {
    const { ref, blob } = registryBlob(location.replace(/^docker:\/\//, ''), digest);
    const client = await ctx.transport.client(ref.registry);
    const size = await blobSize(client, ref.repository, blob).catch((err: unknown) => {
      // A HEAD's 404 has no body to say more: the blob (or the whole repository) is not there.
      if (err instanceof NotFoundError) throw new NotFoundError(`blob ${blob} not found in ${ref.registry}/${ref.repository}`, { code: 'ERR_BLOB_UNKNOWN' });
      throw err;
    });
    const descriptor = { mediaType: 'application/octet-stream', digest: blob, size };
    return { description: `${ref.registry}/${ref.repository}`, descriptor, open: async () => downloadBlob(client, ref.repository, descriptor), close: async () => undefined };
  }
  if (digest === undefined) throw new UsageError(`${location} is not a registry repository: give the blob's digest with it`);
  parseDigest(digest);
  const opened = await loc.openSource(ctx);
  try {
    const src = opened.target;
    const descriptor = await findBlob(src, digest);
    return { description: src.description, descriptor, open: async () => (await src.fetchBlob(descriptor)).stream, close: () => opened.close() };
  } catch (err) {
    await opened.close();
    throw err;
  }
}

/** The descriptor of a blob of the source's image: its config or a layer, in any of an index's images. */
async function findBlob(src: SourceTarget, digest: string): Promise<Descriptor> {
  const queue = [await src.resolve()];
  const seen = new Set<string>();
  while (queue.length) {
    const desc = queue.shift()!;
    if (seen.has(desc.digest) || (src.hasManifest && seen.size > 0 && !(await src.hasManifest(desc)))) continue;
    seen.add(desc.digest);
    const { doc } = await readManifest(src, desc);
    if (doc.kind === 'index') queue.push(...doc.manifests);
    else {
      const hit = imageBlobs(doc).find((b) => b.digest === digest);
      if (hit) return hit;
    }
  }
  throw new NotFoundError(`blob ${digest} is not part of ${src.description}`, { code: 'ERR_BLOB_UNKNOWN' });
}

function registryRepository(text: string) {
  const ref = parseReference(text.replace(/^docker:\/\//, ''));
  if (ref.tag !== undefined || ref.digest !== undefined) throw new UsageError(`a blob goes to a repository, not an image: ${text}`);
  return ref;
}

/** `REPO@DIGEST`, or `REPO` and the digest apart. */
function registryBlob(text: string, digest: string | undefined) {
  const ref = parseReference(text);
  const blob = digest === undefined ? ref.digest : parseDigest(digest);
  if (blob === undefined) throw new UsageError(`name the blob by digest: ${text}@sha256:… (or give the digest after the repository)`);
  if (digest !== undefined && (ref.digest !== undefined || ref.tag !== undefined)) throw new UsageError(`give a repository and a digest, not ${text}`);
  return { ref, blob };
}

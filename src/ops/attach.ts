import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { writeTo } from '../content/target.js';
import { NotFoundError, UsageError } from '../errors.js';
import { sha256Digest } from '../oci/digest.js';
import type { Descriptor } from '../oci/manifest.js';
import { OCI_EMPTY, OCI_LAYER, OCI_MANIFEST } from '../oci/media-types.js';
import type { OpsContext } from './context.js';
import { sideContext, type CredentialOptions } from './credentials.js';
import { locationRegistries, parseLocation } from './transports/index.js';

export interface AttachOptions {
  /** The artifact's type (`application/spdx+json`, `application/vnd.dev.sigstore.bundle+json`). */
  artifactType: string;
  /** Files to attach, each a layer titled with its base name. */
  files: string[];
  /** Manifest annotations (besides `org.opencontainers.image.created`). */
  annotations?: Record<string, string>;
  /** The time the artifact is created at (`org.opencontainers.image.created`); default: the current time. */
  now?: Date;
  credentials?: CredentialOptions | undefined;
}

export interface AttachResult {
  /** The artifact manifest pushed. */
  digest: string;
  subject: Descriptor;
}

const EMPTY = Buffer.from('{}');
const TITLE = 'org.opencontainers.image.title';

/**
 * Pushes an OCI 1.1 artifact manifest referring to `image` (oras attach): `subject` = the image, the empty config,
 * the files as layers with `org.opencontainers.image.title` annotations. The artifact is pushed by digest; a
 * registry without the referrers API gets it listed in its referrers tag, an OCI layout in its referrers entry.
 */
export async function attach(ctx: OpsContext, image: string, opts: AttachOptions): Promise<AttachResult> {
  if (!opts.artifactType) throw new UsageError('option artifactType: required (the artifact\'s type)', { option: 'artifactType' });
  if (!opts.files?.length) throw new UsageError('option files: required (at least one file to attach)', { option: 'files' });
  const location = parseLocation(image);
  if (location.singlePlatform) throw new UsageError(`cannot attach to ${image}: attach writes to a registry or an OCI layout`);
  const layers = await Promise.all(opts.files.map(fileLayer));
  ctx = await sideContext(ctx, locationRegistries(image), opts.credentials);
  const src = await location.openSource(ctx);
  let subject: Descriptor;
  try {
    const d = await src.target.resolve();
    subject = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  } finally {
    await src.close();
  }
  const config = { mediaType: OCI_EMPTY, digest: sha256Digest(EMPTY), size: EMPTY.length, data: EMPTY.toString('base64') };
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: opts.artifactType,
    config,
    layers: layers.map((l) => l.desc),
    subject,
    annotations: { 'org.opencontainers.image.created': (opts.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'), ...opts.annotations },
  }));
  const desc = { mediaType: OCI_MANIFEST, digest: sha256Digest(manifest), size: manifest.length };
  const dst = await location.openDestination(ctx, {});
  try {
    await writeTo(dst.target, async (target) => {
      const blobs = [{ desc: config, open: async () => Readable.from([EMPTY]) }, ...layers];
      for (const blob of blobs) if (!(await target.hasBlob(blob.desc))) await target.pushBlob(blob.desc, blob.open);
      await target.pushManifest(desc, manifest, {});
    });
  } finally {
    await dst.close();
  }
  return { digest: desc.digest, subject };
}

/** A file as a layer: digest and size read from it (streamed), opened again when pushed. */
async function fileLayer(path: string): Promise<{ desc: Descriptor; open: () => Promise<Readable> }> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new NotFoundError(`${path}: no such file`, { code: 'ERR_FILE_NOT_FOUND' });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  const desc = { mediaType: OCI_LAYER, digest: `sha256:${hash.digest('hex')}`, size, annotations: { [TITLE]: basename(path) } };
  return { desc, open: async () => createReadStream(path) };
}

import { readManifest } from '../content/resolve.js';
import { DEFAULT_JOBS } from '../content/session.js';
import type { SourceTarget } from '../content/target.js';
import { verified } from '../content/verify.js';
import { IntegrityError, InvalidContentError, NotFoundError } from '../errors.js';
import type { Descriptor } from '../oci/manifest.js';
import { isNondistributable } from '../oci/media-types.js';
import { formatPlatform, platformMatches, type Platform } from '../oci/platform.js';
import { abortable, stopped } from '../util/abort.js';
import { runPool } from '../util/pool.js';
import type { OpsContext } from './context.js';
import type { WithCredentials } from './credentials.js';
import { withSource } from './transports/index.js';

export interface ValidateOptions extends WithCredentials {
  /** Only this platform's image out of an index (default: every image of it, as crane validate). */
  platform?: Platform | undefined;
  /** Ask whether each blob is there at its size (a registry's HEAD, a file's size) instead of reading it. */
  fast?: boolean;
  /** Blobs checked at once (default 8). */
  jobs?: number;
}

/** A manifest or blob validate did not check, and why. */
export interface SkippedContent {
  digest: string;
  reason: string;
}

/** What validate checked: every manifest walked and every blob read (or, with `fast`, found at its size). */
export interface ValidateResult {
  image: string;
  /** What the image's reference points at. */
  digest: string;
  /** Manifests and indexes read and checked against their digest. */
  manifests: number;
  /** Distinct blobs (configs and layers) checked. */
  blobs: number;
  /** Their bytes. */
  bytes: number;
  /** `fast`: blobs were found at their size, not read. */
  fast: boolean;
  /** Children of an index the source does not hold (an archive or layout with part of an index), and foreign layers. */
  skipped: SkippedContent[];
}

interface BlobCheck {
  desc: Descriptor;
  /** The manifest naming it, for messages. */
  manifest: string;
  what: string;
}

/**
 * Checks that an image is whole (crane validate): walks its index and manifests (every platform, or `platform`'s),
 * reading each manifest and blob and checking its digest and size as it streams (`fast`: only that each blob is
 * there at its size). The first bad blob in walk order fails it with an InvalidContentError (exit 6) naming the blob
 * and the manifest naming it; a blob or child manifest the source lacks counts as bad too.
 */
export async function validate(ctx: OpsContext, image: string, opts: ValidateOptions = {}): Promise<ValidateResult> {
  return withSource(ctx, image, async ({ target }) => {
    const top = await target.resolve();
    const skipped: SkippedContent[] = [];
    const blobs = new Map<string, BlobCheck>();
    let manifests = 0;
    const queue: Array<{ desc: Descriptor; parent?: string }> = [{ desc: top }];
    const seen = new Set<string>();
    while (queue.length) {
      const { desc, parent } = queue.shift()!;
      if (seen.has(desc.digest)) continue;
      seen.add(desc.digest);
      if (parent !== undefined && !(await held(target, desc))) {
        skipped.push({ digest: desc.digest, reason: `not held by ${target.description} (a copy of part of index ${parent})` });
        continue;
      }
      const doc = await readChild(target, desc, parent);
      manifests++;
      if (doc.kind === 'index') {
        for (const child of doc.manifests) {
          if (opts.platform && !(child.platform && platformMatches(opts.platform, child.platform))) continue;
          queue.push({ desc: child, parent: desc.digest });
        }
        continue;
      }
      const where = `manifest ${desc.digest}${desc.platform ? ` (${formatPlatform(desc.platform)})` : ''}`;
      const named: Array<[Descriptor, string]> = [[doc.config, 'config'], ...doc.layers.map((l, i): [Descriptor, string] => [l, `layer ${i + 1}`])];
      for (const [blob, role] of named) {
        if (blobs.has(blob.digest)) continue;
        if (isNondistributable(blob)) {
          skipped.push({ digest: blob.digest, reason: `foreign layer of ${where}` });
          continue;
        }
        blobs.set(blob.digest, { desc: blob, manifest: desc.digest, what: `${role} of ${where}` });
      }
    }
    const list = [...blobs.values()];
    const failures: Array<Error | undefined> = new Array(list.length);
    const signal = ctx.transport.signal;
    await runPool(list.map((c, i) => ({ c, i })), opts.jobs ?? DEFAULT_JOBS, async ({ c, i }) => {
      if (failures.some((f, k) => f && k < i)) return; // an earlier blob failed already
      failures[i] = await checkBlob(target, c, opts.fast === true, signal);
    });
    const failed = failures.find((f) => f !== undefined);
    if (failed) throw failed;
    return {
      image,
      digest: top.digest,
      manifests,
      blobs: list.length,
      bytes: list.reduce((n, c) => n + c.desc.size, 0),
      fast: opts.fast === true,
      skipped,
    };
  }, opts.credentials);
}

/**
 * Whether the source holds a child manifest of an index: archives and layouts may hold part of one (a copy of one
 * platform), and say so; a file there of another size is held, and found bad when read.
 */
async function held(target: SourceTarget, desc: Descriptor): Promise<boolean> {
  if (!target.hasManifest) return true;
  if (target.blobSize) return (await target.blobSize(desc)) !== undefined;
  return target.hasManifest(desc);
}

/** A manifest read and checked; a child its index names but the source lacks, or that is not what it says, is bad content. */
async function readChild(target: SourceTarget, desc: Descriptor, parent: string | undefined) {
  try {
    return (await readManifest(target, desc)).doc;
  } catch (err) {
    if (parent === undefined || !(err instanceof NotFoundError || err instanceof IntegrityError)) throw err;
    const why = err instanceof NotFoundError ? 'missing' : err.message;
    throw new InvalidContentError(`${target.description}: manifest ${desc.digest} named by index ${parent}: ${why}`, desc.digest, parent, { cause: err });
  }
}

/** undefined when the blob is good; the error naming it (and its manifest) when it is missing or not what it should be. */
async function checkBlob(target: SourceTarget, c: BlobCheck, fast: boolean, signal: AbortSignal | undefined): Promise<Error | undefined> {
  const bad = (why: string, cause?: unknown) =>
    new InvalidContentError(`${target.description}: blob ${c.desc.digest} (${c.what}): ${why}`, c.desc.digest, c.manifest, cause === undefined ? {} : { cause });
  try {
    if (fast && target.blobSize) {
      const size = await target.blobSize(c.desc);
      if (size === undefined) return bad('missing');
      if (size !== c.desc.size) return bad(`size mismatch: expected ${c.desc.size} bytes, found ${size}`);
      return undefined;
    }
    signal?.throwIfAborted();
    const { stream } = await target.fetchBlob(c.desc);
    const checked = abortable(verified(stream, c.desc, 'blob'), signal);
    try {
      for await (const _ of checked) {
        // read through: the check is in the stream
      }
    } catch (err) {
      throw stopped(err, signal);
    }
    return undefined;
  } catch (err) {
    if (err instanceof NotFoundError) return bad('missing', err);
    if (err instanceof IntegrityError) return bad(err.message.replace(/^blob: /, ''), err);
    throw err;
  }
}

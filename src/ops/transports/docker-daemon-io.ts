// What docker-daemon.ts opens, loaded on use: the Engine API client (undici) and the archive reader and writer.
import { PassThrough, type Readable } from 'node:stream';
import { ArchiveWriter } from '../../archive/writer.js';
import type { BlobPushResult, DestinationTarget, ManifestPush } from '../../content/target.js';
import { DockerEngine, type LoadReport } from '../../daemon/engine.js';
import { ExitCode, RegctlError } from '../../errors.js';
import type { Descriptor } from '../../oci/manifest.js';
import type { Reference } from '../../ref/reference.js';
import type { OpsContext } from '../context.js';
import { openArchiveFile } from './archive-file.js';
import type { OpenedDestination, OpenedSource } from './location-transport.js';

/** The daemon's `docker save` of `name`, unpacked and checked like any archive; `tagged`: docker names it `name`. */
export async function openDaemonSource(ctx: OpsContext, name: string, tagged: boolean): Promise<OpenedSource> {
  const engine = daemon(ctx);
  try {
    const tar = await engine.exportImage(name);
    // docker names the image in its save by the tag asked for; by ID or digest it leaves it unnamed.
    const opened = await openArchiveFile(ctx, { stream: tar }, `docker-daemon:${name}`, (archive) =>
      archive.images.length === 1 ? archive.images[0]! : archive.find(tagged ? name : undefined),
    );
    return { ...opened, ...(tagged ? { name } : {}) };
  } finally {
    await engine.close();
  }
}

/** `docker load` as a destination, naming the image `ref`. */
export async function openDaemonDestination(ctx: OpsContext, ref: Reference): Promise<OpenedDestination> {
  const engine = daemon(ctx);
  try {
    await engine.ping();
    return { target: new DaemonLoad(engine, ctx, `docker-daemon:${ref.familiar}`), name: ref.name, close: () => engine.close() };
  } catch (err) {
    await engine.close();
    throw err;
  }
}

function daemon(ctx: OpsContext): DockerEngine {
  return DockerEngine.fromEnv(ctx.env, ctx.transport.signal);
}

/**
 * A destination that is `docker load`: the archive writer's tar is the request body, sent as the copy pushes blobs
 * (the daemon unpacks it into a directory of its own, so nothing waits in memory or on regctl's disk). Committing
 * finishes the tar and waits for the daemon's answer; aborting breaks the request off, and the daemon loads nothing.
 */
class DaemonLoad implements DestinationTarget {
  private readonly writer: ArchiveWriter;
  private readonly body = new PassThrough();
  private readonly loading: Promise<LoadReport>;
  /** The daemon's failure, when it broke the load off: the reason a push then fails with. */
  private failed: Error | undefined;

  constructor(engine: DockerEngine, ctx: OpsContext, readonly description: string) {
    this.writer = new ArchiveWriter({ stream: this.body }, { platform: ctx.platform });
    this.loading = engine.loadImage(this.body as Readable);
    // A daemon that fails mid-way ends the tar too, so that pushes stop at once instead of waiting for it to read.
    this.loading.catch((err: unknown) => {
      this.failed = err as Error;
      this.body.destroy(this.failed);
    });
  }

  hasBlob(desc: Descriptor): Promise<boolean> {
    return this.writer.hasBlob(desc);
  }

  hasManifest(desc: Descriptor): Promise<boolean> {
    return this.writer.hasManifest(desc);
  }

  pushBlob(desc: Descriptor, open: () => Promise<Readable>): Promise<BlobPushResult> {
    return this.explained(() => this.writer.pushBlob(desc, open));
  }

  pushManifest(desc: Descriptor, bytes: Buffer, how?: ManifestPush): Promise<void> {
    return this.explained(() => this.writer.pushManifest(desc, bytes, how));
  }

  async commit(): Promise<void> {
    await this.explained(() => this.writer.commit());
    const loaded = await this.loading;
    if (loaded.names.length === 0 && loaded.ids.length === 0) {
      throw new RegctlError('ERR_NOT_AN_IMAGE', `the Docker daemon loaded nothing into ${this.description}: what was copied is not an image docker can run`, ExitCode.failure, {
        hint: 'docker holds container images only (a config and layers); artifacts, signatures and SBOMs stay in registries and layouts',
      });
    }
  }

  /**
   * Runs a write. A typed error is the copy's own (a digest mismatch, the source gone); a bare stream error means the
   * request broke off, and the daemon's reason (gone, refused) explains that better.
   */
  private async explained<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      throw err instanceof RegctlError ? err : this.failed ?? err;
    }
  }

  async abort(): Promise<void> {
    await this.writer.abort();
    this.body.destroy();
    await this.loading.catch(() => undefined);
  }
}

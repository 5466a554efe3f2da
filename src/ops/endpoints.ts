import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArchiveWriter } from '../archive/writer.js';
import { openArchive } from '../archive/reader.js';
import type { CopyResult } from '../content/copy.js';
import type { DestinationTarget, SourceTarget } from '../content/target.js';
import { parseReference } from '../ref/parse.js';
import { OciLayout } from '../store/layout.js';
import { layoutDestination, layoutSource } from '../store/layout-target.js';
import type { OpsContext } from './context.js';
import { registryDestination, registrySource } from './registry-target.js';
import type { TargetSpec } from './target-spec.js';

export interface OpenedSource {
  target: SourceTarget;
  /** The image's name, when the source knows one (for naming it in an archive). */
  name?: string;
  close(): Promise<void>;
}

export interface OpenedDestination {
  target: DestinationTarget;
  tag?: string;
  /** Records the copied image and makes it visible. */
  finish(result: CopyResult): Promise<void>;
  abort(): Promise<void>;
}

const noop = async () => undefined;

/** A scratch directory for unpacking archives: `$TMPDIR`, else the system's. */
export function scratchDir(ctx: OpsContext): Promise<string> {
  return mkdtemp(join(ctx.env.TMPDIR ?? tmpdir(), 'regctl-'));
}

export async function openSource(ctx: OpsContext, spec: TargetSpec): Promise<OpenedSource> {
  switch (spec.kind) {
    case 'registry':
      return { target: await registrySource(ctx, spec.ref), name: spec.ref.name, close: noop };
    case 'oci': {
      const layout = await OciLayout.open(spec.dir, { create: false });
      return { target: layoutSource(layout, spec.tag, `oci:${spec.dir}${spec.tag ? `:${spec.tag}` : ''}`), close: noop };
    }
    case 'docker-archive': {
      const tmp = await scratchDir(ctx);
      try {
        const archive = await openArchive({ path: spec.file }, tmp);
        const image = archive.find(spec.name);
        return {
          target: image.source,
          ...(image.name ? { name: image.name } : {}),
          close: async () => {
            await archive.close();
            await rm(tmp, { recursive: true, force: true });
          },
        };
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
    }
  }
}

export async function openDestination(ctx: OpsContext, spec: TargetSpec, sourceName?: string): Promise<OpenedDestination> {
  switch (spec.kind) {
    case 'registry': {
      const { target, tag } = await registryDestination(ctx, spec.ref);
      return { target, ...(tag ? { tag } : {}), finish: noop, abort: noop };
    }
    case 'oci': {
      const layout = await OciLayout.open(spec.dir, { create: true });
      const tag = spec.tag ?? 'latest';
      const target = layoutDestination(layout, tag, `oci:${spec.dir}:${tag}`);
      return { target, tag, finish: async () => target.commit?.(), abort: async () => target.abort?.() };
    }
    case 'docker-archive': {
      const writer = new ArchiveWriter({ path: spec.file });
      const name = spec.name ?? sourceName;
      return {
        target: writer,
        tag: 'latest',
        finish: async (result) => {
          writer.addImage(name ? parseReference(name).name : undefined, result.top, result.image);
          await writer.commit();
        },
        abort: () => writer.abort(),
      };
    }
  }
}

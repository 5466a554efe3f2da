import { FallbackSource } from '../content/fallback-source.js';
import type { SourceTarget } from '../content/target.js';
import { UsageError } from '../errors.js';
import { parseReference } from '../ref/parse.js';
import type { Reference } from '../ref/reference.js';
import { RegistryDestination, RegistrySource } from '../registry/target.js';
import type { OpsContext } from './context.js';
import { manifestReference } from './resolve.js';

/** A registry repository as a copy source, at the reference's digest or tag; configured mirrors are tried first. */
export async function registrySource(ctx: OpsContext, ref: Reference): Promise<SourceTarget> {
  const client = await ctx.transport.client(ref.registry);
  const origin = new RegistrySource(client, ref.repository, manifestReference(ref), ref.name);
  const mirrors = await ctx.transport.mirrorClients(ref.registry);
  if (!mirrors.length) return origin;
  const viaMirror = mirrors.map((m) => new RegistrySource(m, ref.repository, manifestReference(ref), `${ref.name} (mirror ${m.registry})`));
  return new FallbackSource([...viaMirror, origin]);
}

/** A registry repository as a copy destination, and the tag to set there (none for a digest-only reference). */
export async function registryDestination(ctx: OpsContext, ref: Reference): Promise<{ target: RegistryDestination; tag?: string }> {
  const client = await ctx.transport.client(ref.registry);
  const tag = ref.tag ?? (ref.digest ? undefined : 'latest');
  return { target: new RegistryDestination(client, ref.repository, ref.name), ...(tag ? { tag } : {}) };
}

/** `docker://REF` or a plain image reference. */
export function registryReference(spec: string): Reference {
  const bare = spec.startsWith('docker://') ? spec.slice('docker://'.length) : spec;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(bare)) throw new UsageError(`unknown transport in "${spec}"`, { hint: 'use docker://REF, oci:DIR[:TAG], docker-archive:FILE[:NAME] or a plain image name' });
  return parseReference(bare);
}

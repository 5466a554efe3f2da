import { FallbackSource } from '../content/fallback-source.js';
import type { SourceTarget } from '../content/target.js';
import type { Reference } from '../ref/reference.js';
import { RegistryDestination, RegistrySource } from '../registry/target.js';
import type { OpsContext } from './context.js';
import { manifestReference } from '../ref/selector.js';

/** A registry repository as a copy source, at the reference's digest or tag; configured mirrors are tried first. */
export async function registrySource(ctx: OpsContext, ref: Reference): Promise<SourceTarget> {
  const transport = ctx.transport;
  const client = await transport.client(ref.registry);
  const origin = new RegistrySource(client, ref.repository, manifestReference(ref), ref.name);
  const mirrors = await transport.mirrorClients(ref.registry);
  if (!mirrors.length) return origin;
  const viaMirror = mirrors.map((m) => new RegistrySource(m, ref.repository, manifestReference(ref), `${ref.name} (mirror ${m.registry})`));
  return new FallbackSource([...viaMirror, origin]);
}

/** A registry repository as a copy destination. */
export async function registryDestination(ctx: OpsContext, ref: Reference): Promise<RegistryDestination> {
  return new RegistryDestination(await ctx.transport.client(ref.registry), ref.repository, ref.name);
}

import { UsageError } from '../../errors.js';
import { parseReference } from '../../ref/parse.js';
import { dockerArchiveTransport } from './docker-archive.js';
import { dockerDaemonTransport } from './docker-daemon.js';
import { dockerTransport } from './docker.js';
import { localTransport } from './local.js';
import { ociArchiveTransport } from './oci-archive.js';
import { ociTransport } from './oci.js';
import type { OpsContext } from '../context.js';
import { sideContext, type CredentialOptions } from '../credentials.js';
import type { ImageLocation, OpenedSource, LocationTransport } from './location-transport.js';

export type { DestinationOptions, ImageLocation, OpenedDestination, OpenedSource, LocationTransport } from './location-transport.js';

/** Every transport, by prefix. Adding one is adding its file and a line here. */
export const TRANSPORTS: readonly LocationTransport[] = [dockerTransport, ociTransport, dockerArchiveTransport, ociArchiveTransport, dockerDaemonTransport, localTransport];

/**
 * skopeo's transports regctl does not serve: refused by name, so that `containers-storage:x` never means the
 * registry image `docker.io/library/containers-storage:x` (that one is `docker://containers-storage:x`).
 */
const FOREIGN_TRANSPORTS: ReadonlyMap<string, string> = new Map([
  ['containers-storage', 'regctl keeps its own image store: use local:IMAGE'],
  ['dir', 'copy into an OCI layout instead: oci:DIR[:REF]'],
  ['ostree', 'copy into an OCI layout instead: oci:DIR[:REF]'],
  ['sif', 'regctl reads no Singularity images'],
  ['tarball', 'use docker-archive:FILE or oci-archive:FILE'],
]);

/**
 * `oci:DIR`, `docker-archive:FILE`, `oci-archive:FILE`, `docker-daemon:NAME`, `local:IMAGE`, `docker://REF` or a plain
 * image reference (which is docker's). `NAME:PORT/…` is a registry host with a port (`local:5000/app`), never a transport.
 */
export function parseLocation(text: string): ImageLocation {
  const colon = text.indexOf(':');
  const prefix = colon > 0 && !/^\d+\//.test(text.slice(colon + 1)) ? text.slice(0, colon) : '';
  const transport = TRANSPORTS.find((t) => t.name === prefix && (t !== dockerTransport || text.startsWith('docker://')));
  if (transport) return transport.parse(text.slice(colon + 1), text);
  const foreign = FOREIGN_TRANSPORTS.get(prefix);
  if (foreign) {
    throw new UsageError(`"${prefix}:" is a skopeo transport regctl does not serve ("${text}")`, {
      hint: `${foreign}; an image of a registry with that name is docker://${text}`,
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new UsageError(`unknown transport in "${text}"`, { hint: `use ${transportUsage()} or a plain image name` });
  }
  return dockerTransport.parse(text, text);
}

/**
 * Opens a location as a source (`credentials` applied to the registry it names), gives it to `use`, and closes it
 * however `use` ends.
 */
export async function withSource<T>(ctx: OpsContext, image: string, use: (opened: OpenedSource) => Promise<T>, credentials?: CredentialOptions): Promise<T> {
  const opened = await parseLocation(image).openSource(await sideContext(ctx, locationRegistries(image), credentials));
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

/** `docker://REF (or REF), oci:DIR[:TAG], …` for help texts. */
export function transportUsage(): string {
  return TRANSPORTS.map((t) => t.usage).join(', ');
}

/** The registry a location names (`docker://REF` or a plain reference); none for oci:, docker-archive:, local:, …. */
export function locationRegistries(spec: string): string[] {
  if (parseLocation(spec).transport !== dockerTransport) return [];
  return [parseReference(spec.replace(/^docker:\/\//, '')).registry];
}

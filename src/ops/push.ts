import { parseReference } from '../ref/parse.js';
import type { OpsContext } from './context.js';
import { copyLocations } from './copy.js';
import type { TransferOptions } from './transfer-options.js';
import { dockerTransport } from './transports/docker.js';
import { localTransport } from './transports/local.js';

/** local store → registry: a copy from `local:IMAGE` to `IMAGE` (a plain reference, never a transport prefix). */
export async function push(ctx: OpsContext, image: string, opts: TransferOptions = {}): Promise<{ name: string; digest: string; size: number }> {
  const { credentials, ...rest } = opts;
  const result = await copyLocations(ctx, localTransport.parse(image, `local:${image}`), dockerTransport.parse(image, image), { ...rest, destinationCredentials: credentials });
  return { name: parseReference(image).name, digest: result.digest, size: result.top.size };
}

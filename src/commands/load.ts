import type { CommandEnv } from './command-env.js';
import { load } from '../ops/archive.js';
import { parseReference } from '../ref/parse.js';

export async function loadCommand(env: CommandEnv, flags: { input?: string; name?: string; quiet?: boolean }): Promise<void> {
  const ctx = await env.context();
  const input = flags.input ? { path: flags.input } : { stream: env.io.stdin };
  const r = await load(ctx, input, flags.name === undefined ? {} : { name: flags.name });
  // The same lines with or without -q, as docker load (-q only drops progress, which load does not show).
  for (const name of r.names) env.io.stdout.write(`Loaded image: ${parseReference(name).familiar}\n`);
  for (const digest of r.unnamed) env.io.stdout.write(`Loaded image ID: ${digest}\n`);
}

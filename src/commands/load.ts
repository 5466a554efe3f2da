import type { CommandEnv } from './command-env.js';
import { load } from '../ops/archive.js';
import { parseReference } from '../ref/parse.js';

export async function loadCommand(env: CommandEnv, flags: { input?: string; name?: string; quiet?: boolean }): Promise<void> {
  const ctx = await env.context();
  const input = flags.input ? { path: flags.input } : { stream: env.io.stdin };
  const r = await load(ctx, input, flags.name === undefined ? {} : { name: flags.name });
  for (const name of r.names) env.io.stdout.write(flags.quiet ? `${name}\n` : `Loaded image: ${parseReference(name).familiar}\n`);
  for (const digest of r.unnamed) env.io.stdout.write(flags.quiet ? `${digest}\n` : `Loaded image ID: ${digest}\n`);
}

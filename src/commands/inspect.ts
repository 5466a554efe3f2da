import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { parsePlatform } from '../oci/platform.js';
import { inspect } from '../ops/inspect.js';
import { inspectJson, renderInspect } from '../output/inspect-text.js';
import { credentialOptions, type CredentialFlags } from './credentials.js';

interface InspectFlags extends CredentialFlags {
  platform?: string;
  raw?: boolean;
  config?: boolean;
  format: 'text' | 'json';
}

export async function inspectCommand(env: CommandEnv, image: string, flags: InspectFlags): Promise<void> {
  if (flags.raw && flags.config) throw new UsageError('--raw and --config are mutually exclusive');
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  const result = await inspect(ctx, image, { platform, credentials });
  const out = env.io.stdout;
  if (flags.raw) {
    out.write(result.raw);
  } else if (flags.config) {
    if (!result.configRaw) {
      throw new UsageError(`${result.name} is an index; --config needs one image`, { hint: 'pick one with --platform OS/ARCH' });
    }
    out.write(result.configRaw);
    if (!result.configRaw.toString('utf8').endsWith('\n')) out.write('\n');
  } else {
    out.write(flags.format === 'json' ? inspectJson(result) : renderInspect(result));
  }
}

import type { CommandEnv } from './command-env.js';
import { rateLimit } from '../ops/ratelimit.js';
import { renderRateLimit } from '../output/ratelimit.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference, e.g. ratelimitpreview/test')
  .addOption(cmd.createOption('--format <format>', 'output format').choices(['text', 'json'] as const).default('text' as const));

async function ratelimitCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  env.io.stdout.write(renderRateLimit(await rateLimit(ctx, image, { credentials }), flags.format));
}

export default defineCommand({
  name: 'ratelimit',
  summary: 'show Docker Hub\'s pull rate limit for an image (a HEAD request: it costs no pull)',
  registry: 'one',
  peers: 'regclient image ratelimit',
  build,
  action: ratelimitCommand,
});

import type { CommandEnv } from './command-env.js';
import { rateLimit } from '../api/read.js';
import { formatHelp, parseFormat, renderTemplate, TEXT_JSON } from '../output/format.js';
import { renderRateLimit } from '../output/ratelimit.js';
import { rateLimitData } from '../output/template-data.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference, e.g. ratelimitpreview/test')
  .option('--format <format>', formatHelp(TEXT_JSON), 'text');


async function ratelimitCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = parseFormat(flags.format, TEXT_JSON);
  const result = await rateLimit(image, { context: await env.context(), credentials: await credentialOptions(env, flags) });
  env.io.stdout.write(format.template ? renderTemplate(format.template, [rateLimitData(result)]) : renderRateLimit(result, format.builtin));
}

export default defineCommand({
  name: 'ratelimit',
  summary: 'show Docker Hub\'s pull rate limit for an image (a HEAD request: it costs no pull)',
  registry: 'one',
  peers: 'regclient image ratelimit',
  examples: [
    ['regctl ratelimit alpine', 'shows Docker Hub\'s pull limit and what remains of it, from a HEAD request that does not count'],
    ['regctl ratelimit --format \'{{.Remaining}}\' ratelimitpreview/test', 'prints only the pulls remaining'],
  ],
  build,
  action: ratelimitCommand,
});

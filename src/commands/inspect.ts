import type { CommandEnv } from './command-env.js';
import { NotFoundError, UsageError } from '../errors.js';
import { hostPlatform, parsePlatform, type Platform } from '../oci/platform.js';
import type { OpsContext } from '../ops/context.js';
import type { CredentialOptions } from '../ops/credentials.js';
import { locationRegistries } from '../ops/transports/index.js';
import { inspect, type InspectResult } from '../ops/inspect.js';
import { tags } from '../ops/list.js';
import { formatHelp, parseFormat, renderTemplate } from '../output/format.js';
import { configData, inspectData } from '../output/template-data.js';
import { parseReference } from '../ref/parse.js';
import { inspectJson, inspectView, renderInspect } from '../output/inspect-text.js';
import { batchContext, eachInput } from '../ops/batch.js';
import { batchInputs, failBatch, fromFileOption, outcomeJson } from './batch.js';
import { credentialOptions } from './credentials.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command, locations: string) => fromFileOption(cmd
  .argument('[image...]', `images: ${locations}`)
  .option('--platform <os/arch[/variant]>', 'pick this platform from an index (a single image must be that platform)')
  .option('--raw', 'print the manifest bytes exactly as the source holds them')
  .option('--config', 'print the image config JSON')
  .option('--format <format>', formatHelp(FORMATS), 'text'), 'images');

const FORMATS = ['text', 'json'] as const;

/** Several images (or --from-file): text blocks or a JSON array, in input order; failures on stderr. */
async function inspectCommand(env: CommandEnv, args: string[], flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  if (flags.raw && flags.config) throw new UsageError('--raw and --config are mutually exclusive');
  const images = await batchInputs(env, args, flags.fromFile, 'images');
  const format = parseFormat(flags.format, FORMATS);
  if (flags.raw && format.template) throw new UsageError('--raw prints the manifest as it is: it takes no --format template');
  const platform = flags.platform ? parsePlatform(flags.platform) : undefined;
  const credentials = await credentialOptions(env, flags);
  const ctx = await env.context();
  if (images.length > 1 || flags.fromFile !== undefined) {
    const one = flags.raw ? '--raw' : flags.config ? '--config' : format.template ? 'a --format template' : undefined;
    if (one) throw new UsageError(`${one} takes one image`);
    const shared = await batchContext(ctx, images, credentials);
    const outcomes = await eachInput(images, (image) => inspect(shared, image, { platform }));
    const out = env.io.stdout;
    if (format.builtin === 'json') out.write(`${JSON.stringify(outcomes.map((o) => outcomeJson(o, 'reference', (r) => inspectView(r))), null, 2)}\n`);
    else out.write(outcomes.flatMap((o) => ('result' in o ? [renderInspect(o.result)] : [])).join('\n'));
    failBatch(env, outcomes);
    return;
  }
  const image = images[0]!;
  const result = await inspect(ctx, image, { platform, credentials });
  const out = env.io.stdout;
  if (flags.raw) {
    out.write(result.raw);
  } else if (flags.config) {
    if (!result.configRaw) {
      throw new UsageError(`${result.name} is an index; --config needs one image`, { hint: 'pick one with --platform OS/ARCH' });
    }
    if (format.template) {
      out.write(renderTemplate(format.template, [configData(result.configRaw)]));
      return;
    }
    out.write(result.configRaw);
    if (!result.configRaw.toString('utf8').endsWith('\n')) out.write('\n');
  } else if (format.template) {
    const wantsTags = /\bRepoTags\b/.test(flags.format);
    out.write(renderTemplate(format.template, [await templateData(ctx, image, result, { platform, wantsTags, credentials, env })]));
  } else {
    out.write(flags.format === 'json' ? inspectJson(result) : renderInspect(result));
  }
}

/**
 * What a template sees: for an index without --platform, the image fields come from the host's platform as skopeo
 * picks it (Digest stays the index's); Name is the repository (skopeo's), RepoTags its tags when the template names them.
 */
async function templateData(ctx: OpsContext, image: string, result: InspectResult, how: { platform: Platform | undefined; wantsTags: boolean; credentials: CredentialOptions; env: CommandEnv }): Promise<object> {
  const { platform, wantsTags, credentials, env } = how;
  const host = result.manifests && !platform
    ? await inspect(ctx, image, { platform: hostPlatform(env.io.runtime), credentials }).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    })
    : undefined;
  const registry = locationRegistries(image).length > 0;
  const ref = registry ? parseReference(image.replace(/^docker:\/\//, '')) : undefined;
  const repository = ref ? `${ref.registry}/${ref.repository}` : undefined;
  return inspectData(
    { ...result, name: repository ?? result.name },
    { ...(host ? { image: host } : {}), ...(wantsTags ? { repoTags: repository ? await tags(ctx, repository, { credentials }) : [] } : {}) },
  );
}

export default defineCommand({
  name: 'inspect',
  summary: 'show what each image reference points at: an index\'s platforms or an image\'s config and layers',
  registry: 'one',
  peers: 'skopeo inspect; crane manifest/config; regclient image inspect',
  build,
  action: inspectCommand,
});

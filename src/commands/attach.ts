import type { CommandEnv } from './command-env.js';
import { attach } from '../api/registry.js';
import { renderAttached, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { keyValues } from './key-values.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'image reference (or oci:DIR[:TAG])')
  .argument('<files...>', 'files to attach, each a layer titled with its path as given (as oras; an absolute path: its base name)')
  .requiredOption('--artifact-type <type>', 'the artifact\'s type, e.g. application/spdx+json')
  .option('--annotation <key=value>', 'manifest annotation (repeatable)', collect, [] as string[])
  .option('--format <format>', resultFormatHelp('the artifact\'s digest', '{{.Digest}} {{.Subject.Digest}}'));

async function attachCommand(env: CommandEnv, image: string, files: string[], flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = resultFormat(flags.format);
  const annotations = keyValues(flags.annotation, '--annotation');
  const opts = { context: await env.context(), artifactType: flags.artifactType, files, annotations, credentials: await credentialOptions(env, flags) };
  env.io.stdout.write(renderAttached(format, await attach(image, opts)));
}

export default defineCommand({
  name: 'attach',
  summary: 'push files as an OCI 1.1 artifact referring to an image (like oras attach; artifact push --subject by digest); prints its digest',
  registry: 'one',
  peers: 'oras attach; regclient artifact put --subject',
  examples: [
    ['regctl attach localhost:5000/app:1.0 --artifact-type application/spdx+json sbom.spdx.json', 'pushes an SBOM referring to the image'],
    ['regctl attach oci:./layout:v1 --artifact-type application/vnd.example.report --annotation org.opencontainers.image.created=2024-05-01T00:00:00Z report.txt', 'attaches a report to an image in an OCI layout, with an annotation'],
  ],
  build,
  flags: { annotations: '--annotation', files: 'FILES' },
  action: attachCommand,
});

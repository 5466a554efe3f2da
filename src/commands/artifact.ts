import type { CommandEnv } from './command-env.js';
import { artifactList, artifactPull, artifactPush, type ArtifactFile } from '../api/artifact.js';
import { UsageError } from '../errors.js';
import { splitFileRef } from '../oci/artifact-layout.js';
import { renderArtifactPulled, renderArtifactPushed } from '../output/artifact-results.js';
import { referrersData } from '../output/template-data.js';
import { formatHelp, parseFormat, renderTemplate } from '../output/format.js';
import { referrersJson, renderReferrersTree } from '../output/referrers-tree.js';
import { resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { keyValues } from './key-values.js';
import { credentialOptions } from './credentials.js';
import { collect, defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const buildPush = (cmd: Command) => cmd
  .argument('<reference>', 'where it goes: REPO[:TAG], oci:DIR[:TAG], oci-archive:FILE[:TAG] or local:NAME')
  .argument('[files...]', 'FILE[:MEDIATYPE] (a directory is packed as tar+gzip; - reads stdin, named by --title; -:MEDIATYPE after --)')
  .option('--artifact-type <type>', 'the artifact\'s type (default application/vnd.unknown.artifact.v1 without --config)')
  .option('--annotation <key=value>', 'manifest annotation (repeatable)', collect, [] as string[])
  .option('--annotation-file <file>', 'oras\'s annotation file: JSON annotations keyed by file, "$manifest" or "$config"')
  .option('--config <file[:mediatype]>', 'a file as the manifest\'s config instead of the empty one')
  .option('--subject <image>', 'an image of the same repository the artifact refers to (listed among its referrers)')
  .option('--title <name>', 'the name of the file read from stdin (-)')
  .option('--format <format>', resultFormatHelp('the artifact\'s digest', '{{.Digest}} {{.ArtifactType}}'));

const push = defineCommand({
  name: 'push',
  summary: 'push files as an OCI artifact in oras\'s layout; prints its digest',
  registry: 'one',
  peers: 'oras push; regclient artifact put',
  build: buildPush,
  flags: { annotations: '--annotation', files: 'FILES', configMediaType: '--config' },
  examples: [
    ['regctl artifact push localhost:5000/policy:v1 policy.rego data.json:application/json', 'pushes two files, the second with its media type'],
    ['regctl artifact push --artifact-type application/vnd.example.docs oci:layout:docs site/', 'packs a directory into an OCI layout'],
    ['tar c src | regctl artifact push --title src.tar localhost:5000/src:1 -- -:application/x-tar', 'pushes stdin as src.tar of type application/x-tar (after --: commander would read -:TYPE as a flag)'],
  ],
  async action(env: CommandEnv, reference: string, args: string[], flags: FlagsOf<typeof buildPush, 'one'>) {
    const format = resultFormat(flags.format);
    const files: ArtifactFile[] = args.map((arg) => {
      const { path, mediaType } = splitFileRef(arg);
      if (path !== '-') return mediaType ? { path, mediaType } : path;
      if (!flags.title) throw new UsageError('a file read from stdin (-) needs --title, the name it is pulled as');
      if (env.io.stdin.isTTY) throw new UsageError('give the file on stdin (or name it instead of -)');
      return { stream: env.io.stdin, title: flags.title, ...(mediaType ? { mediaType } : {}) };
    });
    if (args.filter((a) => splitFileRef(a).path === '-').length > 1) throw new UsageError('stdin (-) can be given once');
    if (flags.title && !args.some((a) => splitFileRef(a).path === '-')) throw new UsageError('--title names the file read from stdin: give - among the files');
    const config = flags.config === undefined ? undefined : splitFileRef(flags.config);
    const result = await artifactPush(reference, files, {
      context: await env.context(),
      credentials: await credentialOptions(env, flags),
      artifactType: flags.artifactType,
      annotations: keyValues(flags.annotation, '--annotation'),
      annotationFile: flags.annotationFile,
      config: config?.path,
      configMediaType: config?.mediaType,
      subject: flags.subject,
    });
    env.io.stdout.write(renderArtifactPushed(format, result));
  },
});

const buildPull = (cmd: Command, locations: string) => cmd
  .argument('<reference>', `the artifact: ${locations}`)
  .option('-o, --output <dir>', 'the directory to write into (created when missing)', '.')
  .option('--media-type <type>', 'only layers of this media type (repeatable)', collect, [] as string[])
  .option('--overwrite', 'replace files that exist (default: refuse before writing anything)')
  .option('--format <format>', resultFormatHelp('each path written, one a line', '{{range .Files}}{{.Path}} {{.Digest}}\n{{end}}'));

const pull = defineCommand({
  name: 'pull',
  summary: 'write an artifact\'s files into a directory, verified, directories unpacked (Helm charts as NAME-VERSION.tgz)',
  registry: 'one',
  peers: 'oras pull; regclient artifact get; helm pull',
  build: buildPull,
  flags: { mediaTypes: '--media-type' },
  examples: [
    ['regctl artifact pull localhost:5000/policy:v1 -o policy', 'writes its files under ./policy'],
    ['regctl artifact pull oci:charts:0.1.0 -o .', 'writes a Helm chart as NAME-VERSION.tgz'],
  ],
  async action(env: CommandEnv, reference: string, flags: FlagsOf<typeof buildPull, 'one'>) {
    const format = resultFormat(flags.format);
    const result = await artifactPull(reference, {
      context: await env.context(),
      credentials: await credentialOptions(env, flags),
      output: flags.output,
      ...(flags.mediaType.length ? { mediaTypes: flags.mediaType } : {}),
      ...(flags.overwrite ? { overwrite: true } : {}),
    });
    env.io.stdout.write(renderArtifactPulled(format, result));
  },
});

const LS_FORMATS = ['tree', 'json'] as const;

const buildLs = (cmd: Command, locations: string) => cmd
  .argument('<image>', `image: ${locations}`)
  .option('--artifact-type <type>', 'only artifacts of this type')
  .option('--format <format>', formatHelp(LS_FORMATS), 'tree');

const ls = defineCommand({
  name: 'ls',
  summary: 'list the artifacts attached to an image (its referrers, with their own)',
  registry: 'one',
  peers: 'oras discover; regclient artifact list',
  build: buildLs,
  examples: [['regctl artifact ls localhost:5000/app:1 --artifact-type application/spdx+json', 'lists the SBOMs attached to the image']],
  async action(env: CommandEnv, image: string, flags: FlagsOf<typeof buildLs, 'one'>) {
    const format = parseFormat(flags.format, LS_FORMATS);
    const result = await artifactList(image, { context: await env.context(), credentials: await credentialOptions(env, flags), artifactType: flags.artifactType });
    env.io.stdout.write(format.template ? renderTemplate(format.template, [referrersData(result)]) : format.builtin === 'json' ? referrersJson(result) : renderReferrersTree(result));
  },
});

export default defineCommand({
  name: 'artifact',
  summary: 'push, pull and list OCI artifacts (files as oras moves them: Helm charts, WASM, policies, SBOMs, models)',
  registry: 'none',
  peers: 'oras push / pull / discover; regclient artifact',
  build: (cmd: Command) => cmd,
  subcommands: [push, pull, ls],
});

export type { CommandEnv, GlobalOptions, Io } from './commands/command-env.js';
import { Command, CommanderError, Option } from 'commander';
import { addCredentialOptions } from './commands/credential-options.js';
import { ExitCode, RegctlError } from './errors.js';
import type { CommandEnv, GlobalOptions, Io } from './commands/command-env.js';
import { terminalSafe } from './output/terminal.js';
import type { OpsContext } from './ops/context.js';
import { parseDuration } from './util/duration.js';
import { fsError } from './util/fs-error.js';

export const VERSION = '0.1.0';

export { runInterruptCleanups } from './util/interrupt.js';

/** Runs one regctl invocation and returns its exit code. The only place errors become messages. */
export async function run(argv: string[], io: Io): Promise<number> {
  const global: GlobalOptions = {};
  let ctx: Promise<OpsContext> | undefined;
  const env: CommandEnv = {
    io,
    global,
    context: () => (ctx ??= buildContext(io, global)),
    warn: (message) => io.stderr.write(`regctl: ${terminalSafe(message)}\n`),
    color: Boolean(io.stderr.isTTY) && io.env.NO_COLOR === undefined,
  };
  // Help lists the transports from their registry; loaded only for help (it pulls in what each transport opens).
  const wantsHelp = argv[0] === 'help' || argv.includes('--help') || argv.includes('-h');
  const locations = wantsHelp ? (await import('./ops/transports/index.js')).transportUsage() : 'REF, TRANSPORT:…';
  const program = buildProgram(env, locations);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (err) {
    return reportError(err, io, global, env.color ? (await import('chalk')).default : undefined);
  } finally {
    if (ctx) await (await ctx.catch(() => undefined))?.transport.close();
  }
}

/** `locations`: the forms an image location takes (transportUsage()), for help. */
function buildProgram(env: CommandEnv, locations: string): Command {
  const { io, global } = env;
  const program = new Command('regctl')
    .description('Daemonless container-registry client: search, inspect, copy, pull, push, save and load images')
    .version(VERSION, '-v, --version')
    .option('--debug', 'print debug information (requests, stack traces) to stderr; secrets are never printed')
    .option('--insecure', 'allow plain http and skip TLS verification for every registry')
    .option('--timeout <duration>', 'give up on the registry after this long (e.g. 30s, 5m; default: no limit), exit 5')
    .option('--no-cache', 'do not keep registry pings and tokens between runs (also REGCTL_NO_CACHE=1)')
    .showHelpAfterError('(run regctl --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'regctl: ')),
    })
    .hook('preAction', (root) => {
      Object.assign(global, root.opts());
      if (global.timeout !== undefined) parseDuration(global.timeout); // a bad value fails before any work
    });

  const lazy = <A extends unknown[]>(load: () => Promise<(env: CommandEnv, ...args: A) => Promise<void>>) =>
    async (...args: A) => (await load())(env, ...args);

  program.command('login')
    .description('log in to a registry (default docker.io) after checking the credentials')
    .argument('[server]', 'registry host, default docker.io')
    .option('-u, --username <user>', 'username')
    .option('-p, --password <password>', 'password (insecure: prefer --password-stdin)')
    .option('--password-stdin', 'read the password from stdin')
    .option('--keychain', 'store the credentials in the OS keychain through docker-credential-regctl')
    .option('--authfile <file>', 'store them in this docker config.json or containers auth.json instead')
    .action(lazy(async () => (await import('./commands/login.js')).loginCommand));

  program.command('logout')
    .description('remove stored credentials for a registry (default docker.io)')
    .argument('[server]', 'registry host, default docker.io')
    .option('--authfile <file>', 'remove them from this docker config.json or containers auth.json instead')
    .action(lazy(async () => (await import('./commands/logout.js')).logoutCommand));

  program.command('search')
    .description('search Docker Hub (or another registry\'s catalog) for repositories')
    .argument('<term>', 'search term')
    .option('--limit <n>', 'maximum number of results (1-100)', '25')
    .option('-f, --filter <filter>', 'filter: stars=N, is-official=true|false, is-automated=true|false', collect, [])
    .option('--no-trunc', 'do not truncate descriptions')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--registry <host>', 'search this registry instead of Docker Hub')
    .action(lazy(async () => (await import('./commands/search.js')).searchCommand));

  program.command('inspect')
    .description('show what an image reference points at: an index\'s platforms or an image\'s config and layers')
    .argument('<image>', `image: ${locations}`)
    .option('--platform <os/arch[/variant]>', 'pick this platform from an index (a single image must be that platform)')
    .option('--raw', 'print the manifest bytes exactly as the source holds them')
    .option('--config', 'print the image config JSON')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(lazy(async () => (await import('./commands/inspect.js')).inspectCommand));

  program.command('digest')
    .description('print the digest an image reference points at')
    .argument('<image>', `image: ${locations}`)
    .option('--platform <os/arch[/variant]>', 'the digest of this platform\'s manifest in an index (a single image must be that platform)')
    .option('--verify', 'GET the manifest and hash it instead of trusting the registry\'s digest header (always done for IMAGE@sha256:…)')
    .action(lazy(async () => (await import('./commands/digest.js')).digestCommand));

  program.command('tags')
    .description('list every tag of a repository')
    .argument('<repository>', 'repository, e.g. alpine or localhost:5000/app')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(lazy(async () => (await import('./commands/tags.js')).tagsCommand));

  program.command('catalog')
    .description('list every repository of a registry')
    .argument('<registry>', 'registry host[:port]')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(lazy(async () => (await import('./commands/catalog.js')).catalogCommand));

  program.command('copy')
    .alias('cp')
    .description('copy an image (a whole multi-platform index by default) between registries, keeping its digest')
    .argument('<source>', `image: ${locations}`)
    .argument('<destination>', `where to: ${locations}`)
    .option('--platform <os/arch[/variant]>', 'copy only this platform\'s image from an index')
    .addOption(new Option('--format <format>', 'convert manifests and layer media types to this format (digests of manifests change)').choices(['oci', 'docker']))
    .option('--referrers', 'also copy signatures, SBOMs and attestations referring to every manifest copied (OCI referrers and cosign tags), recursively; off by default')
    .option('--include-nondistributable', 'also copy foreign / non-distributable layers (skipped by default)')
    .option('-j, --jobs <n>', 'blobs moved at once (default 8)')
    .option('-q, --quiet', 'no progress lines')
    .option('--digestfile <file>', 'write the digest of the copied manifest to this file')
    .option('-a, --all-tags', 'copy every tag of the source repository into the destination repository')
    .option('--image-jobs <n>', 'with --all-tags: images copied at once (default 4)')
    .option('--keep-going', 'with --all-tags: go on past a failed tag, exit non-zero at the end')
    .option('--dry-run', 'with --all-tags: print which tags would be copied or skipped; write nothing')
    .option('--json', 'with --all-tags: print the report as JSON on stdout (sync --format json)')
    .action(lazy(async () => (await import('./commands/copy.js')).copyCommand));

  program.command('sync')
    .description('mirror repositories: every tag (or those selected) not already at the destination with the same digest')
    .usage('[options] SRC_REPO DST_REPO | --config FILE DESTINATION')
    .argument('<source>', 'source repository (or, with --config, the destination)')
    .argument('[destination]', 'destination repository')
    .option('--config <file>', 'read the images from a skopeo sync YAML file; DESTINATION is a registry[/path]')
    .option('--scoped', 'with --config: keep the source registry and path under DESTINATION (skopeo --scoped)')
    .option('--tags <regex>', 'only tags this regular expression matches (searched, like skopeo: anchor with ^…$)')
    .option('--exclude <regex>', 'leave out tags this regular expression matches')
    .option('--semver <range>', 'only tags that are versions in this range, e.g. ">= 3.12.0" or "~1.2"')
    .option('--dry-run', 'print which images would be copied or skipped (HEAD requests only); write nothing')
    .option('-j, --jobs <n>', 'blobs moved at once, across all images (default 8)')
    .option('--image-jobs <n>', 'images copied at once (default 4)')
    .option('--keep-going', 'go on past a failed image or repository; exit non-zero at the end')
    .option('--referrers', 'also copy signatures, SBOMs and attestations of every image (OCI referrers and cosign tags), recursively; off by default')
    .addOption(new Option('--format <format>', 'report format on stdout').choices(['text', 'json']).default('text'))
    .option('-q, --quiet', 'no progress and no summary')
    .action(lazy(async () => (await import('./commands/sync.js')).syncCommand));

  program.command('referrers')
    .description('list the signatures, SBOMs and attestations referring to an image (OCI 1.1 referrers, the referrers tag schema, cosign tags)')
    .argument('<image>', 'image reference (or oci:DIR[:TAG])')
    .option('--artifact-type <type>', 'only referrers of this artifact type')
    .addOption(new Option('--format <format>', 'output format').choices(['tree', 'json']).default('tree'))
    .action(lazy(async () => (await import('./commands/referrers.js')).referrersCommand));

  program.command('attach')
    .description('push files as an OCI 1.1 artifact referring to an image (like oras attach); prints its digest')
    .argument('<image>', 'image reference (or oci:DIR[:TAG])')
    .argument('<files...>', 'files to attach, each a layer titled with its name')
    .requiredOption('--artifact-type <type>', 'the artifact\'s type, e.g. application/spdx+json')
    .option('-a, --annotation <key=value>', 'manifest annotation (repeatable)', collect, [])
    .action(lazy(async () => (await import('./commands/attach.js')).attachCommand));

  program.command('pull')
    .description('pull an image into the local store (the host platform of an index by default)')
    .argument('<image>', 'image reference')
    .option('--platform <os/arch[/variant]>', 'pick this platform from an index (a single image must be that platform)')
    .option('-a, --all-platforms', 'keep the whole multi-platform index')
    .option('-j, --jobs <n>', 'blobs moved at once')
    .option('-q, --quiet', 'print only the image name')
    .action(lazy(async () => (await import('./commands/pull.js')).pullCommand));

  program.command('push')
    .description('push an image from the local store to its registry')
    .argument('<image>', 'image reference')
    .option('-j, --jobs <n>', 'blobs moved at once')
    .option('-q, --quiet', 'print only the image name')
    .option('--digestfile <file>', 'write the digest of the pushed manifest to this file')
    .action(lazy(async () => (await import('./commands/push.js')).pushCommand));

  program.command('tag')
    .description('give a local image another name (no data is copied)')
    .argument('<source>', 'local image')
    .argument('<target>', 'new name')
    .action(lazy(async () => (await import('./commands/tag.js')).tagCommand));

  program.command('images')
    .alias('ls')
    .description('list the images in the local store (all, or those of one repository)')
    .argument('[repository]', 'only this repository (REPOSITORY or REPOSITORY:TAG)')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'print only image IDs')
    .option('--digests', 'show manifest digests')
    .option('--no-trunc', 'show full image IDs')
    .action(lazy(async () => (await import('./commands/images.js')).imagesCommand));

  program.command('rmi')
    .description('remove local images by name, digest or image ID (untag; blobs no other image needs are deleted)')
    .argument('<image...>', 'local images: names, digests or (short) image IDs')
    .option('-f, --force', 'remove an image ID that several repositories name (untag them all)')
    .action(lazy(async () => (await import('./commands/rmi.js')).rmiCommand));

  program.command('save')
    .description('save images (from the local store, else their registry) to a tarball that docker load reads')
    .argument('<image...>', 'image references')
    .option('-o, --output <file>', 'write to this file (default: stdout, when it is not a terminal)')
    .option('--platform <os/arch[/variant]>', 'platform to take from multi-platform images (default: the host\'s); several (repeated or comma-separated) keep the index whole with only those platforms\' images', collect, [])
    .option('-a, --all-platforms', 'keep multi-platform indexes whole (attestations included), their digests unchanged')
    .option('--referrers', 'also save the referrers (signatures, SBOMs, attestations) of each image')
    .option('--include-nondistributable', 'also save foreign / non-distributable layers (left out by default)')
    .option('-j, --jobs <n>', 'blobs moved at once')
    .option('-q, --quiet', 'no progress lines')
    .action(lazy(async () => (await import('./commands/save.js')).saveCommand));

  program.command('load')
    .description('load images from a tarball (regctl, docker save, OCI; plain, gzip or zstd) into the local store')
    .option('-i, --input <file>', 'read this file (default: stdin)')
    .option('--name <ref>', 'name for the image the archive leaves unnamed (or for its only image)')
    .option('-q, --quiet', 'print only the loaded names')
    .action(lazy(async () => (await import('./commands/load.js')).loadCommand));

  program.command('delete')
    .description('delete a manifest from a registry by digest (a tag is resolved first); every tag on it goes')
    .argument('<image>', 'image reference')
    .action(lazy(async () => (await import('./commands/delete.js')).deleteCommand));

  program.command('ratelimit')
    .description('show Docker Hub\'s pull rate limit for an image (a HEAD request: it costs no pull)')
    .argument('<image>', 'image reference, e.g. ratelimitpreview/test')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(lazy(async () => (await import('./commands/ratelimit.js')).ratelimitCommand));

  for (const cmd of program.commands) {
    if (REGISTRY_COMMANDS.includes(cmd.name())) addCredentialOptions(cmd, { sides: cmd.name() === 'copy' || cmd.name() === 'sync' });
  }
  return program;
}

/** The commands that reach a registry: they take --creds, --registry-token, --no-creds and --authfile. */
const REGISTRY_COMMANDS = ['search', 'inspect', 'digest', 'tags', 'catalog', 'copy', 'sync', 'pull', 'push', 'save', 'delete', 'ratelimit', 'referrers', 'attach'];

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function buildContext(io: Io, global: GlobalOptions): Promise<OpsContext> {
  const { createContext } = await import('./ops/create-context.js');
  return createContext({
    env: io.env,
    homedir: io.homedir,
    runtime: io.runtime,
    insecure: global.insecure ?? false,
    ...(global.timeout !== undefined ? { timeoutMs: parseDuration(global.timeout) } : {}),
    noCache: global.cache === false,
    ...(global.debug ? { debug: (line: string) => io.stderr.write(`debug: ${terminalSafe(line)}\n`) } : {}),
    onWarning: (warning) => io.stderr.write(`regctl: warning: ${terminalSafe(warning.message)}\n`),
  });
}

interface Paint {
  red(s: string): string;
  dim(s: string): string;
}

function reportError(err: unknown, io: Io, global: GlobalOptions, paint?: Paint): number {
  const prefix = paint ? paint.red('regctl:') : 'regctl:';
  const hint = paint ? paint.dim('hint:') : 'hint:';
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage; // commander already printed the message
  }
  err = fsError(err) ?? err;
  if (err instanceof RegctlError) {
    io.stderr.write(`${prefix} ${terminalSafe(err.message)}\n`);
    if (err.hint) io.stderr.write(`${hint} ${terminalSafe(err.hint)}\n`);
    if (global.debug) io.stderr.write(`${err.stack ?? ''}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`${prefix} internal error: ${terminalSafe(message)}\n`);
  if (global.debug && err instanceof Error) io.stderr.write(`${err.stack ?? ''}\n`);
  return ExitCode.failure;
}

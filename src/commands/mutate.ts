import type { Command } from '@commander-js/extra-typings';
import { mutate, type ConfigChanges } from '../api/change.js';
import { UsageError } from '../errors.js';
import { CHANGE_FLAG_NAMES, changeFlags, changeFormat, runChange } from './change-flags.js';
import { keyValues } from './key-values.js';
import type { CommandEnv } from './command-env.js';
import { collect, defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => changeFlags(cmd
  .argument('<image>', `image: ${locations}`)
  .option('--label <key=value>', 'set a label (repeatable)', collect, [] as string[])
  .option('--rm-label <key>', 'remove a label (repeatable)', collect, [] as string[])
  .option('--annotation <key=value>', 'set a manifest annotation, on the index too (repeatable)', collect, [] as string[])
  .option('--env <key=value>', 'set an environment variable (repeatable)', collect, [] as string[])
  .option('--rm-env <key>', 'remove an environment variable (repeatable)', collect, [] as string[])
  .option('--entrypoint <json|string>', 'the entrypoint: a JSON array, or a string run by /bin/sh -c; "[]" clears it')
  .option('--cmd <json|string>', 'the default arguments: a JSON array, or a string run by /bin/sh -c; "[]" clears them')
  .option('--user <user>', 'the user[:group] the container runs as')
  .option('--workdir <dir>', 'the working directory')
  .option('--expose <port>', 'expose a port: PORT or PORT/tcp|udp|sctp (repeatable)', collect, [] as string[])
  .option('--stop-signal <signal>', 'the signal that stops the container (SIGTERM)')
  .option('--created <time>', 'the image\'s creation time: RFC 3339 or seconds since 1970'));

async function mutateCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'sides'>): Promise<void> {
  const config: ConfigChanges = {
    ...(flags.label.length ? { labels: keyValues(flags.label, '--label') } : {}),
    ...(flags.rmLabel.length ? { removeLabels: flags.rmLabel } : {}),
    ...(flags.env.length ? { env: keyValues(flags.env, '--env') } : {}),
    ...(flags.rmEnv.length ? { removeEnv: flags.rmEnv } : {}),
    ...(flags.entrypoint !== undefined ? { entrypoint: commandLine(flags.entrypoint, '--entrypoint') } : {}),
    ...(flags.cmd !== undefined ? { cmd: commandLine(flags.cmd, '--cmd') } : {}),
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.workdir !== undefined ? { workdir: flags.workdir } : {}),
    ...(flags.expose.length ? { expose: flags.expose } : {}),
    ...(flags.stopSignal !== undefined ? { stopSignal: flags.stopSignal } : {}),
    ...(flags.created !== undefined ? { created: parseTime(flags.created) } : {}),
  };
  const annotations = keyValues(flags.annotation, '--annotation');
  changeFormat(flags.format); // `mutate --format oci` (the old spelling of a conversion) is told of --manifest-format first
  if (!Object.keys(config).length && !Object.keys(annotations).length && !flags.manifestFormat) {
    throw new UsageError('nothing to change: give --label, --env, --entrypoint, --annotation, … (see regctl mutate --help)');
  }
  await runChange(env, image, flags, (opts) => mutate(image, { ...opts, config, annotations }));
}

/** A JSON array of strings as it is, or a string as Docker's shell form (`/bin/sh -c STRING`). */
function commandLine(value: string, flag: string): string[] {
  if (!value.trimStart().startsWith('[')) return ['/bin/sh', '-c', value];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError(`invalid ${flag} ${value}: not a JSON array`, { hint: 'write it as \'["/app","--flag"]\' or as a plain string' });
  }
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new UsageError(`invalid ${flag} ${value}: want a JSON array of strings`);
  return parsed;
}

function parseTime(value: string): Date {
  const d = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(d.getTime()) || !/^\d+$|^\d{4}-\d\d-\d\d/.test(value)) throw new UsageError(`invalid --created "${value}": want RFC 3339 (2024-01-02T03:04:05Z) or seconds since 1970`);
  return d;
}

export default defineCommand({
  name: 'mutate',
  summary: 'change an image\'s config (labels, env, entrypoint, …) and annotations; prints the new digest',
  registry: 'sides',
  peers: 'crane mutate; regclient image mod',
  examples: [
    ['regctl mutate localhost:5000/app:1.0 --label org.opencontainers.image.version=1.0 --env MODE=prod', 'sets a label and an environment variable and writes the image back under its tag'],
    ['regctl mutate localhost:5000/app:1.0 -t localhost:5000/app:1.0-debug --entrypoint \'["/bin/sh"]\' --user 0', 'writes a copy with another entrypoint and user under a new tag'],
    ['regctl mutate oci:./layout:v1 --rm-label maintainer --created 2024-01-01T00:00:00Z', 'changes an image in an OCI layout'],
  ],
  build,
  flags: CHANGE_FLAG_NAMES,
  action: mutateCommand,
});

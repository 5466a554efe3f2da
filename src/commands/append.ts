import type { Command } from '@commander-js/extra-typings';
import { append, SCRATCH, type LayerInput } from '../api/change.js';
import { UsageError } from '../errors.js';
import { CHANGE_FLAG_NAMES, changeFlags, runChange } from './change-flags.js';
import type { CommandEnv } from './command-env.js';
import { defineCommand, type FlagsOf } from './define.js';

const build = (cmd: Command, locations: string) => {
  // -f and --dir fill one list, so the layers keep the order they were given in.
  const layers: LayerInput[] = [];
  const add = (layer: LayerInput) => (layers.push(layer), layers);
  return changeFlags(cmd
    .argument('<base>', `the image to add layers to (${locations}), or scratch for an empty one`)
    .option('-f, --file <layer.tar>', 'a new layer from this tar (plain, gzip or zstd; repeatable)', (v: string) => add({ tar: v }), layers)
    .option('--dir <dir[:/dest]>', 'a new layer from this directory, placed at /dest (default /; repeatable)', (v: string) => add(dirInput(v)), layers)
    .addOption(cmd.createOption('--compress <type>', 'how the new layers are compressed').choices(['gzip', 'zstd'] as const).default('gzip' as const))
    .option('--uid <n>', 'owner of every entry of the new layers (a directory\'s are 0 by default, a tar\'s are kept)')
    .option('--gid <n>', 'group of every entry of the new layers')
    .option('--reproducible', 'timestamps from SOURCE_DATE_EPOCH (or 0): the same inputs give the same digest'));
};

async function appendCommand(env: CommandEnv, base: string, flags: FlagsOf<typeof build, 'sides'>): Promise<void> {
  const layers = flags.file as LayerInput[];
  if (!layers.length) throw new UsageError('append needs at least one layer: -f LAYER.tar or --dir DIR[:/DEST]');
  const uid = flags.uid === undefined ? undefined : owner(flags.uid, '--uid');
  const gid = flags.gid === undefined ? undefined : owner(flags.gid, '--gid');
  await runChange(env, base === SCRATCH ? undefined : base, flags, (opts) => append(base, {
    ...opts, layers, compress: flags.compress, uid, gid, reproducible: flags.reproducible,
  }));
}

/** `DIR` or `DIR:/DEST` (DEST absolute, so a colon inside DIR stays DIR's). */
function dirInput(value: string): LayerInput {
  const at = value.lastIndexOf(':/');
  return at > 0 ? { dir: value.slice(0, at), dest: value.slice(at + 1) } : { dir: value };
}

function owner(value: string, flag: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0x7fffffff) throw new UsageError(`invalid ${flag} "${value}": a number`);
  return Number(value);
}

export default defineCommand({
  name: 'append',
  summary: 'add layers made from tars or directories to an image (or to scratch); prints the new digest',
  registry: 'sides',
  peers: 'crane append; regclient image mod --layer-add',
  examples: [
    ['regctl append localhost:5000/base:1.0 -t localhost:5000/app:1.0 --dir ./dist:/srv/www', 'adds a layer with the files of ./dist under /srv/www'],
    ['regctl append scratch --platform linux/amd64 -t localhost:5000/tools:1 -f tools.tar.gz', 'builds an image from nothing but a tar'],
    ['SOURCE_DATE_EPOCH=1700000000 regctl append alpine:3.20 -t localhost:5000/app:1 --dir ./app:/app --uid 1000 --gid 1000 --reproducible', 'the same files give the same digest on every machine'],
  ],
  build,
  flags: { ...CHANGE_FLAG_NAMES, layers: '--dir' },
  action: appendCommand,
});

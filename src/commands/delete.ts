import type { CommandEnv } from './command-env.js';
import { del } from '../api/registry.js';
import { renderRemoved, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { parseReference } from '../ref/parse.js';
import { manifestReference } from '../ref/selector.js';
import { credentialOptions } from './credentials.js';
import { reportManifestDelete } from './report-delete.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('<image>', 'REPO:TAG (only that tag goes) or REPO@DIGEST (the manifest and every tag on it)')
  .option('--format <format>', resultFormatHelp('Untagged: and Deleted: lines', '{{.Kind}} {{.Digest}}'));

async function deleteCommand(env: CommandEnv, image: string, flags: FlagsOf<typeof build, 'one'>): Promise<void> {
  const format = resultFormat(flags.format);
  const ref = parseReference(image);
  const result = await del(image, { context: await env.context(), credentials: await credentialOptions(env, flags) });
  if (result.kind === 'manifest') return reportManifestDelete(env, ref, result, format);
  const { digest, method } = result.untagged;
  const removed = { kind: 'tag' as const, repository: `${ref.registry}/${ref.repository}`, digest, tags: [manifestReference(ref)], method: method ?? '' };
  env.io.stdout.write(renderRemoved(format, removed, result));
}

export default defineCommand({
  name: 'delete',
  summary: 'remove a tag from a registry (its siblings on the same digest stay), or a manifest by digest with every tag on it',
  registry: 'one',
  peers: 'crane delete; regclient manifest delete; skopeo delete',
  examples: [
    ['regctl delete localhost:5000/app:rc1', 'removes only the tag rc1; other tags on the same image stay'],
    ['regctl delete localhost:5000/app@sha256:4a9f4c0f9e3bd3e9c4a7ea1bd1e50c8df7f4b1a6a9d0c1e4f0b7c2d8e9a1b2c3', 'deletes the manifest and every tag on it'],
  ],
  build,
  action: deleteCommand,
});

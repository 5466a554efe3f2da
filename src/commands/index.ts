import type { CommandDefinition } from './define.js';

export type { CommandDefinition, RegistryUse } from './define.js';

/**
 * Every command, in the order help lists them, each loaded on demand: cli.ts builds only the command invoked (all of
 * them for help). Adding a command is adding its file (src/commands/NAME.ts, a defineCommand as default export) and
 * a line here.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<{ default: CommandDefinition }>>> = {
  login: () => import('./login.js'),
  logout: () => import('./logout.js'),
  search: () => import('./search.js'),
  inspect: () => import('./inspect.js'),
  digest: () => import('./digest.js'),
  tags: () => import('./tags.js'),
  manifest: () => import('./manifest.js'),
  blob: () => import('./blob.js'),
  config: () => import('./config.js'),
  index: () => import('./image-index.js'),
  catalog: () => import('./catalog.js'),
  copy: () => import('./copy.js'),
  sync: () => import('./sync.js'),
  referrers: () => import('./referrers.js'),
  attach: () => import('./attach.js'),
  pull: () => import('./pull.js'),
  push: () => import('./push.js'),
  tag: () => import('./tag.js'),
  images: () => import('./images.js'),
  rmi: () => import('./rmi.js'),
  save: () => import('./save.js'),
  load: () => import('./load.js'),
  delete: () => import('./delete.js'),
  ratelimit: () => import('./ratelimit.js'),
  mutate: () => import('./mutate.js'),
  append: () => import('./append.js'),
  flatten: () => import('./flatten.js'),
  rebase: () => import('./rebase.js'),
  export: () => import('./export.js'),
  size: () => import('./size.js'),
  prune: () => import('./prune.js'),
  diff: () => import('./diff.js'),
  validate: () => import('./validate.js'),
  'get-file': () => import('./get-file.js'),
  history: () => import('./history.js'),
  'check-base': () => import('./check-base.js'),
  artifact: () => import('./artifact.js'),
  'generate-key': () => import('./generate-key.js'),
  sign: () => import('./sign.js'),
  verify: () => import('./verify.js'),
  'verify-attestation': () => import('./verify-attestation.js'),
  completion: () => import('./completion.js'),
  version: () => import('./version.js'),
};

/** Every command's definition, in COMMANDS' order (help, man pages, completion, the README table). */
export async function allCommands(): Promise<CommandDefinition[]> {
  return Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).default));
}

import type { CommandEnv } from './command-env.js';
import { completionScript, SHELLS } from '../docs/completion.js';
import { commandSpec } from '../docs/spec.js';
import { TRANSPORTS } from '../api/locations.js';
import { defineCommand } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .addArgument(cmd.createArgument('<shell>', 'the shell to complete in').choices(SHELLS));

async function completionCommand(env: CommandEnv, shell: (typeof SHELLS)[number], _flags: object): Promise<void> {
  const tree = await env.commandTree!();
  const transports = TRANSPORTS.map((t) => (t.name === 'docker' ? 'docker://' : `${t.name}:`));
  env.io.stdout.write(completionScript(shell, commandSpec(tree), transports));
}

export default defineCommand({
  name: 'completion',
  summary: 'print a shell completion script: commands, flags, image locations and local image names',
  usage: 'bash|zsh|fish',
  registry: 'none',
  peers: 'crane completion; regclient completion; skopeo completion',
  examples: [
    ['regctl completion bash > ~/.local/share/bash-completion/completions/regctl', 'installs bash completion for the current user'],
    ['regctl completion zsh > "${fpath[1]}/_regctl"', 'installs zsh completion'],
    ['regctl completion fish > ~/.config/fish/completions/regctl.fish', 'installs fish completion'],
  ],
  build,
  action: completionCommand,
});

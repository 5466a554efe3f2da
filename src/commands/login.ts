import { MAX_SECRET_BYTES } from '../util/limits.js';
import type { CommandEnv } from './command-env.js';
import { UsageError } from '../errors.js';
import { login } from '../api/registry.js';
import { renderLogin, resultFormat, resultFormatHelp } from '../output/verb-results.js';
import { readCapped } from '../util/read-capped.js';
import { canPrompt, prompt } from './prompt.js';
import { defineCommand, type FlagsOf } from './define.js';
import type { Command } from '@commander-js/extra-typings';

const build = (cmd: Command) => cmd
  .argument('[server]', 'registry host, default docker.io')
  .option('-u, --username <user>', 'username')
  .option('-p, --password <password>', 'password (insecure: prefer --password-stdin)')
  .option('--password-stdin', 'read the password from stdin')
  .option('--keychain', 'store the credentials in the OS keychain through docker-credential-regctl')
  .option('--authfile <file>', 'store them in this docker config.json or containers auth.json instead')
  .option('--format <format>', resultFormatHelp('Login Succeeded', '{{.Registry}} {{.Location}}'));

/** Like docker login: a username or password left out is asked for on a terminal (the password without echo). */
async function loginCommand(env: CommandEnv, server: string | undefined, flags: FlagsOf<typeof build>): Promise<void> {
  const format = resultFormat(flags.format);
  if (flags.password !== undefined && flags.passwordStdin) throw new UsageError('--password and --password-stdin are mutually exclusive');
  const interactive = canPrompt(env.io) && !flags.passwordStdin;
  let username = flags.username;
  if (!username && interactive) username = (await prompt(env.io, 'Username: ')).trim();
  if (!username) {
    throw new UsageError('a username is required', { hint: 'regctl login [SERVER] -u USER --password-stdin' });
  }
  let password = flags.password;
  if (flags.passwordStdin) {
    password = (await readCapped(env.io.stdin, MAX_SECRET_BYTES, 'the password on stdin').catch(() => {
      throw new UsageError('the password on stdin is too long');
    })).toString('utf8').replace(/\r?\n$/, '');
  } else if (password !== undefined) {
    env.warn('WARNING! Using --password via the CLI is insecure. Use --password-stdin.');
  } else if (interactive) {
    password = await prompt(env.io, 'Password: ', { echo: false });
  }
  if (!password) throw new UsageError('a password is required', { hint: 'pass it with --password-stdin (or -p)' });
  const result = await login(server, { context: await env.context(), username, password, keychain: flags.keychain ?? false, authfile: flags.authfile });
  if (result.plaintext) {
    env.warn(`WARNING! Your password will be stored unencrypted in ${result.location}.`);
    env.io.stderr.write('hint: use --keychain (or a credential helper) to keep it in the OS keychain\n');
  }
  env.io.stdout.write(renderLogin(format, result));
}

export default defineCommand({
  name: 'login',
  summary: 'log in to a registry (default docker.io) after checking the credentials',
  registry: 'none',
  peers: 'docker login; crane auth login; regclient registry login; skopeo login',
  examples: [
    ['regctl login registry.example.com -u alice', 'logs in as alice, asking for the password on the terminal, and stores the credentials in docker\'s config.json'],
    ['printenv REGISTRY_TOKEN | regctl login ghcr.io -u alice --password-stdin', 'logs in with a token read from stdin, as CI jobs do'],
    ['regctl login registry.example.com -u alice --password-stdin --keychain < token.txt', 'stores the credentials in the OS keychain instead of the config file'],
  ],
  build,
  action: loginCommand,
});

// Types only: cli.ts loads this at start-up, and commander itself stays in cli.ts's bundle.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

/**
 * The per-command credential flags, on every command that reaches a registry. With `sides`, the `--src-*` and
 * `--dest-*` forms too (copy, and later sync), each side falling back to the plain flags.
 */
export function addCredentialOptions(cmd: Command, opts: { sides?: boolean } = {}): Command {
  cmd
    .option('--creds <user[:pass]>', 'use these credentials instead of the stored ones (asks for PASS on a terminal when it is left out)')
    .option('--registry-token <token>', 'send this bearer token as is')
    .option('--no-creds', 'access the registry anonymously')
    .option('--authfile <file>', 'read credentials from this docker config.json or containers auth.json instead of the defaults')
    .option('--tls-verify [bool]', 'require https and verify certificates (--tls-verify=false: allow plain http, skip verification)', parseBool);
  if (opts.sides) {
    for (const [side, what] of [['src', 'source'], ['dest', 'destination']] as const) {
      cmd
        .option(`--${side}-creds <user[:pass]>`, `credentials for the ${what} registry`)
        .option(`--${side}-registry-token <token>`, `bearer token for the ${what} registry`)
        .option(`--${side}-no-creds`, `access the ${what} registry anonymously`)
        .option(`--${side}-authfile <file>`, `credentials file for the ${what} registry`)
        .option(`--${side}-tls-verify [bool]`, `require https and verify certificates for the ${what} registry`, parseBool);
    }
  }
  return cmd;
}

/** skopeo's boolean spelling: `--tls-verify`, `--tls-verify=true`, `--tls-verify=false`. */
function parseBool(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new UsageError(`invalid TLS setting "${value}": want --tls-verify=true or --tls-verify=false`);
}

import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { ChangeOptions, ChangeResult } from '../api/change.js';
import type { Context } from '../api/context.js';
import { UsageError } from '../errors.js';
import { parseFormat, renderTemplate, TEXT_JSON } from '../output/format.js';
import { changeData } from '../output/template-data.js';
import type { CommandEnv } from './command-env.js';
import { transferOptions, type TransferCredentialFlags } from './credentials.js';
import { withTransfer } from './transfer.js';


/**
 * The flags every image-changing command takes (mutate, append, flatten, rebase): where to (`-t`), which platform,
 * the manifest format written (`--manifest-format`), how the result prints (`--format`).
 */
export function changeFlags<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>): Command<A, O & ChangeFlagValues> {
  return cmd
    .option('-t, --tag <new-ref>', 'write the result here (any location); default: back to IMAGE\'s own name')
    .option('--platform <os/arch[/variant]>', 'change only this platform\'s image of an index (the others are kept)')
    .addOption(cmd.createOption('--manifest-format <format>', 'write the result in this manifest format (default: the source\'s)').choices(['oci', 'docker'] as const))
    .option('--format <format>', 'how the result prints: text (the digest), json ({"digest","destination"}) or a Go template', 'text')
    .option('-j, --jobs <n>', 'blobs moved at once (default 8)')
    .option('-q, --quiet', 'no progress lines') as unknown as Command<A, O & ChangeFlagValues>; // commander's inferred type, spelt out (too long to infer)
}

/** What the change flags hold once parsed. */
export type ChangeFlagValues = {
  tag?: string | undefined;
  platform?: string | undefined;
  manifestFormat?: 'oci' | 'docker' | undefined;
  format: string;
  jobs?: string | undefined;
  quiet?: true | undefined;
};

/** The library option each change flag sets, where its name is not the option's (flag-names.ts). */
export const CHANGE_FLAG_NAMES = { to: '--tag' } as const;

export type ChangeFlags = ChangeFlagValues & TransferCredentialFlags;

/** The options every change takes, from its flags (the operation's own are added by the command). */
export type ChangeCallOptions = ChangeOptions & { context: Context };

/**
 * Runs a change of `image` (undefined: built from scratch) with the credentials of its source and destination
 * sides and the progress display, then prints the result (the new digest, by default).
 */
export async function runChange(
  env: CommandEnv, image: string | undefined, flags: ChangeFlags, work: (opts: ChangeCallOptions) => Promise<ChangeResult>,
): Promise<void> {
  const format = changeFormat(flags.format);
  const [sourceCredentials, destinationCredentials] = await transferOptions(env, flags);
  const context = await env.context();
  const result = await withTransfer(env, flags, `Changing ${image ?? flags.tag ?? 'scratch'}`, ({ jobs, onProgress }) => work({
    context,
    sourceCredentials,
    destinationCredentials,
    to: flags.tag,
    platform: flags.platform,
    manifestFormat: flags.manifestFormat,
    jobs,
    onProgress,
  }));
  const out = env.io.stdout;
  if (format.template) out.write(renderTemplate(format.template, [changeData(result)]));
  else if (format.builtin === 'json') out.write(`${JSON.stringify(result, null, 2)}\n`);
  else out.write(`${result.digest}\n`);
}

/** `--format`: how the result prints. The manifest format it once named is `--manifest-format` now. */
export function changeFormat(value: string) {
  if (value === 'oci' || value === 'docker') {
    throw new UsageError(`--format ${value}: --format is how the result prints (text, json or a template)`, { hint: `write the image in ${value === 'oci' ? 'OCI' : 'Docker'} format with --manifest-format ${value}` });
  }
  return parseFormat(value, TEXT_JSON);
}

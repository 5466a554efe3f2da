import { StringDecoder } from 'node:string_decoder';
import type { Io } from './command-env.js';
import { ExitCode, RegctlError, UsageError } from '../errors.js';

type TtyInput = Io['stdin'] & { setRawMode?: (raw: boolean) => unknown };

/** True when stdin is a terminal, so a missing username or password may be asked for. */
export function canPrompt(io: Io): boolean {
  return Boolean(io.stdin.isTTY);
}

/**
 * Asks on the terminal (the question on stderr) and reads one line. With `echo: false` the terminal is put in
 * raw mode before the question is written, so nothing typed is shown (backspace and Ctrl-U edit, Ctrl-C cancels), like docker's and skopeo's
 * password prompts. Whatever was typed past the line stays unread for the next prompt.
 */
export function prompt(io: Io, question: string, opts: { echo?: boolean } = {}): Promise<string> {
  const stdin = io.stdin as TtyInput;
  const raw = opts.echo === false && typeof stdin.setRawMode === 'function';
  // Echo off before the question shows: whatever answers as soon as it appears (a script, expect) is never echoed.
  if (raw) stdin.setRawMode!(true);
  io.stderr.write(question);
  const decoder = new StringDecoder('utf8');
  let line = '';
  return new Promise((resolve, reject) => {
    const finish = (err: Error | undefined, rest = '') => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.off('error', onError);
      if (raw) stdin.setRawMode!(false);
      stdin.pause();
      if (rest) stdin.unshift(Buffer.from(rest));
      if (raw) io.stderr.write('\n');
      if (err) reject(err);
      else resolve(line);
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
      const chars = [...text];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ch === '\r' || ch === '\n') {
          const rest = chars.slice(ch === '\r' && chars[i + 1] === '\n' ? i + 2 : i + 1).join('');
          return finish(undefined, rest);
        }
        if (ch === '\x03') return finish(new RegctlError('ERR_CANCELLED', 'cancelled', ExitCode.failure));
        if (ch === '\x04') return line ? finish(undefined) : finish(noInput(question));
        if (ch === '\x7f' || ch === '\b') line = [...line].slice(0, -1).join('');
        else if (ch === '\x15') line = '';
        else if (ch >= ' ') line += ch;
      }
    };
    const onEnd = () => (line ? finish(undefined) : finish(noInput(question)));
    const onError = (err: Error) => finish(err);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onError);
    stdin.resume();
  });
}

function noInput(question: string): UsageError {
  return new UsageError(`no answer to "${question.replace(/:\s*$/, '')}"`);
}

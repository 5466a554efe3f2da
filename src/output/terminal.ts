/**
 * Text that came from a registry, an archive or a file (tags, labels, annotations, error bodies), made safe to
 * show on a terminal: control characters (C0 but tab and — with `multiline` — newline, DEL, C1) and the
 * bidirectional overrides that reorder what is shown (U+202E…) are escaped visibly, as `\x1b` or `\u202e`, so
 * no string can move the cursor, clear the screen, set a title, fake a line of output or hide its own end.
 * Every text and table renderer goes through here; `--format json` prints the exact strings instead.
 */
export function terminalSafe(text: string, opts: { multiline?: boolean } = {}): string {
  const pattern = opts.multiline ? MULTILINE : ONE_LINE;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, escape) : text;
}

// C0 controls but tab (and newline), DEL, C1 controls, and the bidi marks, embeddings, overrides and isolates.
const ONE_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const MULTILINE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Go's string quoting (strconv.Quote, for %q and error messages) and unquoting (string and char literals). */

const ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\' };
const UNESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp === 0x20) return true;
  if (cp < 0x20 || cp === 0x7f) return false;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(cp));
}

/** strconv.Quote (QuoteToASCII with `ascii`): printable characters as they are, the rest escaped. */
export function goQuote(s: string, quote = '"', ascii = false): string {
  let out = quote;
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === quote || c === '\\') out += `\\${c}`;
    else if (ESCAPES[c]) out += ESCAPES[c];
    else if (cp < 0x80 ? isPrint(cp) : !ascii && isPrint(cp)) out += c;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else out += cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

/** The value of a Go string, raw string or character literal (quotes included); undefined when malformed. */
export function unquote(lit: string): string | undefined {
  const q = lit[0];
  if (q === '`') return lit.slice(1, -1).replace(/\r/g, '');
  let out = '';
  for (let i = 1; i < lit.length - 1; i++) {
    const c = lit[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = lit[++i]!;
    if (UNESCAPES[e] !== undefined) {
      out += UNESCAPES[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = lit.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) return undefined;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      out += String.fromCodePoint(cp);
      i += n;
    } else if (e >= '0' && e <= '7') {
      const oct = lit.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) return undefined;
      out += String.fromCodePoint(parseInt(oct, 8));
      i += 2;
    } else {
      return undefined;
    }
  }
  return out;
}

/**
 * The lexer of Go's text/template (src/text/template/parse/lex.go), with `{{` `}}` as delimiters:
 * text, actions, `{{- -}}` trim markers, comments, fields, variables, strings, raw strings, characters,
 * numbers, keywords. A lexical error ends the token list with an `error` token the parser reports.
 */

export type TokenType =
  | 'text' | 'comment' | 'left' | 'right' | 'space' | 'field' | 'variable' | 'identifier' | 'keyword'
  | 'bool' | 'nil' | 'dot' | 'string' | 'rawString' | 'charConst' | 'number' | 'complex' | 'pipe' | 'leftParen'
  | 'rightParen' | 'declare' | 'assign' | 'char' | 'eof' | 'error';

export interface Token {
  type: TokenType;
  value: string;
  /** Offset of the token in the template text. */
  pos: number;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const LEFT = '{{';
const RIGHT = '}}';

export const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && (c === '_' || /^[\p{L}\p{Nd}]$/u.test(c));
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** `{{- ` opens with a trim marker: a dash followed by a space. */
const leftTrimAt = (s: string, i: number) => s[i] === '-' && isSpace(s[i + 1]);
/** ` -}}` closes with one: a space, a dash, the delimiter. */
const rightTrimAt = (s: string, i: number) => isSpace(s[i]) && s[i + 1] === '-' && s.startsWith(RIGHT, i + 2);

export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let start = 0;
  let parenDepth = 0;
  const emit = (type: TokenType) => {
    tokens.push({ type, value: input.slice(start, pos), pos: start });
    start = pos;
  };
  const fail = (message: string): Token[] => {
    tokens.push({ type: 'error', value: message, pos: start });
    return tokens;
  };
  const skipSpaces = () => {
    while (isSpace(input[pos])) pos++;
    start = pos;
  };
  const atTerminator = () => {
    const c = input[pos];
    return c === undefined || isSpace(c) || '.,|:()'.includes(c) || input.startsWith(RIGHT, pos);
  };

  for (;;) {
    // Text up to the next action.
    const at = input.indexOf(LEFT, pos);
    if (at < 0) {
      pos = input.length;
      if (pos > start) emit('text');
      tokens.push({ type: 'eof', value: '', pos });
      return tokens;
    }
    const trim = leftTrimAt(input, at + LEFT.length);
    let textEnd = at;
    if (trim) while (textEnd > start && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > start) tokens.push({ type: 'text', value: input.slice(start, textEnd), pos: start });
    start = at;
    pos = at + LEFT.length;
    const afterMarker = pos + (trim ? 2 : 0);
    if (input.startsWith('/*', afterMarker)) {
      pos = afterMarker;
      start = pos;
      const close = input.indexOf('*/', pos + 2);
      if (close < 0) return fail('unclosed comment');
      pos = close + 2;
      const trimAfter = rightTrimAt(input, pos);
      if (!trimAfter && !input.startsWith(RIGHT, pos)) return fail('comment ends before closing delimiter');
      emit('comment');
      pos += (trimAfter ? 2 : 0) + RIGHT.length;
      start = pos;
      if (trimAfter) skipSpaces();
      continue;
    }
    emit('left');
    pos = afterMarker;
    start = pos;

    // Inside the action.
    for (;;) {
      const trimRight = rightTrimAt(input, pos);
      if (trimRight || input.startsWith(RIGHT, pos)) {
        if (parenDepth > 0) return fail('unclosed left paren');
        pos += trimRight ? 1 : 0;
        start = pos;
        pos += (trimRight ? 1 : 0) + RIGHT.length;
        emit('right');
        if (trimRight) skipSpaces();
        break;
      }
      const c = input[pos];
      if (c === undefined) return fail('unclosed action');
      pos++;
      if (isSpace(c)) {
        while (isSpace(input[pos]) && !rightTrimAt(input, pos)) pos++;
        emit('space');
      } else if (c === '=') {
        emit('assign');
      } else if (c === ':') {
        if (input[pos] !== '=') return fail('expected :=');
        pos++;
        emit('declare');
      } else if (c === '|') {
        emit('pipe');
      } else if (c === '"' || c === "'") {
        for (;;) {
          const d = input[pos++];
          if (d === '\\' && input[pos] !== undefined && input[pos] !== '\n') pos++;
          else if (d === undefined || d === '\n') return fail(c === '"' ? 'unterminated quoted string' : 'unterminated character constant');
          else if (d === c) break;
        }
        emit(c === '"' ? 'string' : 'charConst');
      } else if (c === '`') {
        const close = input.indexOf('`', pos);
        if (close < 0) return fail('unterminated raw quoted string');
        pos = close + 1;
        emit('rawString');
      } else if (c === '$' || (c === '.' && !isDigit(input[pos]))) {
        if (atTerminator()) {
          emit(c === '$' ? 'variable' : 'dot');
          continue;
        }
        while (isAlnum(input[pos])) pos++;
        if (!atTerminator()) return fail(`bad character ${codePoint(input[pos]!)}`);
        emit(c === '$' ? 'variable' : 'field');
      } else if (c === '.' || c === '+' || c === '-' || isDigit(c)) {
        const scanned = scanNumber(input, pos - 1);
        pos = scanned.end;
        if (!scanned.ok) return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
        if (input[pos] === '+' || input[pos] === '-') {
          // Complex: 1+2i. No spaces, must end in 'i'.
          const im = scanNumber(input, pos);
          pos = im.end;
          if (!im.ok || input[pos - 1] !== 'i') return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
          emit('complex');
        } else emit('number');
      } else if (isAlnum(c)) {
        while (isAlnum(input[pos])) pos++;
        if (!atTerminator()) return fail(`bad character ${codePoint(input[pos]!)}`);
        const word = input.slice(start, pos);
        emit(KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier');
      } else if (c === '(') {
        parenDepth++;
        emit('leftParen');
      } else if (c === ')') {
        if (--parenDepth < 0) return fail('unexpected right paren');
        emit('rightParen');
      } else if (c >= ' ' && c <= '~') {
        emit('char');
      } else {
        return fail(`unrecognized character in action: ${codePoint(c)}`);
      }
    }
  }
}

/** Go's scanNumber: sign, base prefix, digits with underscores, fraction, exponent, imaginary suffix; not followed by a letter. */
function scanNumber(s: string, i: number): { end: number; ok: boolean } {
  if (s[i] === '+' || s[i] === '-') i++;
  let digits = '0123456789_';
  if (s[i] === '0') {
    i++;
    const p = s[i];
    if (p === 'x' || p === 'X') digits = '0123456789abcdefABCDEF_';
    else if (p === 'o' || p === 'O') digits = '01234567_';
    else if (p === 'b' || p === 'B') digits = '01_';
    if (digits !== '0123456789_') i++;
  }
  const run = (set: string) => {
    while (s[i] !== undefined && set.includes(s[i]!)) i++;
  };
  run(digits);
  if (s[i] === '.') {
    i++;
    run(digits);
  }
  if ((digits.length === 11 && (s[i] === 'e' || s[i] === 'E')) || (digits.length === 23 && (s[i] === 'p' || s[i] === 'P'))) {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    run('0123456789_');
  }
  if (s[i] === 'i') i++;
  if (isAlnum(s[i])) return { end: i + 1, ok: false };
  return { end: i, ok: true };
}

/** `U+0023 '#'`, as Go's %#U. */
export function codePoint(c: string): string {
  const cp = c.codePointAt(0)!;
  const printable = cp === 0x20 || (cp > 0x20 && cp !== 0x7f && /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c));
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}${printable ? ` '${c}'` : ''}`;
}

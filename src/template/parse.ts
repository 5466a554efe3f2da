/**
 * The parser of Go's text/template (src/text/template/parse/parse.go): the same grammar, the same checks at
 * parse time (undefined functions and variables, `{{break}}` outside range, non-executable pipeline stages) and
 * the same messages. A parse error reads `template: LINE: …` as Go's does; the tree also records each node's offset
 * for execution errors (`template: LINE:COL: …`, COL counted from 0, as Go counts it). `define` and `block` add
 * named templates; nesting deeper than MAX_DEPTH fails with Go's "max expression depth exceeded" / "max control
 * structure depth exceeded" instead of exhausting JavaScript's stack.
 */
import { UsageError } from '../errors.js';
import { lex, type Token } from './lex.js';
import { goQuote, unquote } from './quote.js';
import type { Complex } from './values.js';

/**
 * Deepest nesting of parentheses and of control structures, and of template calls at execution. Go allows 10,000
 * (100,000 calls) natively and 1,000 on WebAssembly; JavaScript's stack holds about as much as WebAssembly's.
 */
export const MAX_DEPTH = 1000;

/** A number constant as Go's parser reads it: which Go types can hold it, and its value as each. */
export interface NumberValue {
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  complex: Complex;
}

/** Where Go reports a node (`pos`), where its source text starts (`start`) and that text (`src`, shown in errors). */
interface At {
  pos: number;
  start: number;
  src: string;
}

export type Arg = At & (
  | { kind: 'field'; names: string[] }
  | { kind: 'variable'; name: string; fields: string[] }
  | { kind: 'chain'; node: Arg; fields: string[] }
  | { kind: 'identifier'; name: string }
  | { kind: 'pipe'; pipe: Pipe }
  | { kind: 'dot' }
  | { kind: 'nil' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; value: NumberValue }
  | { kind: 'string'; value: string }
);

export interface Command extends At {
  args: Arg[];
}

export interface Pipe {
  pos: number;
  decl: string[];
  /** `$x = …` assigns an existing variable; `$x := …` declares one. */
  isAssign: boolean;
  cmds: Command[];
}

/** if, with and range: a pipeline, the list it guards and the else branch. */
export interface Control {
  kind: 'if' | 'with' | 'range';
  pos: number;
  pipe: Pipe;
  list: Node[];
  elseList?: Node[];
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pos: number; pipe: Pipe }
  | Control
  | { kind: 'break' | 'continue'; pos: number }
  | { kind: 'template'; pos: number; name: string; pipe?: Pipe };

/** The parsed text: its main template and those it defines (`define`, `block`). */
export interface Tree {
  root: Node[];
  defines: Map<string, Node[]>;
}

type Terminator = { kind: 'end' | 'else'; pos: number; elseKeyword?: 'if' | 'with' };

/** Go's position: the line (from 1) and the byte offset within it (from 0). */
export function position(input: string, pos: number): string {
  const before = input.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  return `${before.split('\n').length}:${pos - nl - 1}`;
}

export function templateError(input: string, pos: number, message: string): UsageError {
  return new UsageError(`template: ${position(input, pos)}: ${message}`);
}

/** A parse error: Go names only the line. */
export function parseError(input: string, pos: number, message: string): UsageError {
  return new UsageError(`template: ${position(input, pos).split(':')[0]}: ${message}`);
}

/** How a token reads in "unexpected X in Y" (Go's item.String). */
function describe(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'keyword') return `<${t.value}>`;
  if (t.type === 'right') return '"}}"';
  return t.value.length > 10 ? `${goQuote(t.value.slice(0, 10))}...` : goQuote(t.value);
}

const OPERAND_START = new Set(['bool', 'charConst', 'complex', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

export function parse(input: string, functions: ReadonlySet<string>, maxDepth = MAX_DEPTH): Tree {
  return new Parser(input, functions, maxDepth).parse();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private last: Token;
  private readonly vars = ['$'];
  private rangeDepth = 0;
  private controlDepth = 0;
  private readonly defines = new Map<string, Node[]>();
  /** Where the action being parsed started (an unclosed one names it). */
  private actionStart = 0;

  constructor(private readonly input: string, private readonly functions: ReadonlySet<string>, private readonly maxDepth: number) {
    this.tokens = lex(input);
    this.last = this.tokens[0]!;
  }

  parse(): Tree {
    const list: Node[] = [];
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'left' && this.isDefine()) continue;
      const n = this.textOrAction();
      if (n === null) continue;
      if (n.kind === 'end' || n.kind === 'else') this.fail(`unexpected {{${n.kind}}}`, n.pos);
      list.push(n as Node);
    }
    return { root: list, defines: this.defines };
  }

  /** `{{define "name"}}…{{end}}` at the top level: parsed into `defines`. */
  private isDefine(): boolean {
    const at = this.i;
    this.next();
    const t = this.nextNonSpace();
    if (t.type !== 'keyword' || t.value !== 'define') {
      this.i = at;
      return false;
    }
    const nameTok = this.nextNonSpace();
    const name = this.templateName(nameTok, 'define clause');
    this.expectRight('define clause');
    const mark = this.vars.length;
    this.vars.length = 1;
    const [list, end] = this.itemList();
    if (end.kind !== 'end') this.fail('unexpected {{else}}', end.pos);
    this.vars.length = mark;
    this.addDefine(name, list, nameTok.pos);
    return true;
  }

  private addDefine(name: string, list: Node[], pos: number): void {
    const old = this.defines.get(name);
    if (old && !isEmpty(old) && !isEmpty(list)) this.fail(`template: multiple definition of template "${name}"`, pos);
    if (!old || isEmpty(old)) this.defines.set(name, list);
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== 'string' && t.type !== 'rawString') this.unexpected(t, context);
    const s = unquote(t.value);
    if (s === undefined) this.fail(`malformed string: ${t.value}`);
    return s;
  }

  private fail(message: string, pos: number = this.last.pos): never {
    throw parseError(this.input, pos, message);
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.type !== 'eof') this.i++;
    this.last = t;
    if (t.type === 'left') this.actionStart = t.pos + 1;
    if (t.type === 'error') {
      const line = (p: number) => position(this.input, p).split(':')[0];
      const started = line(this.actionStart) !== line(t.pos) && this.actionStart > 0 ? ` started at ${line(this.actionStart)}` : '';
      this.fail(t.value + (t.value.endsWith(' action') ? started : started ? ` in action${started}` : ''), t.type === 'error' && t.value === 'unclosed action' ? this.input.length : t.pos);
    }
    return t;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private nextNonSpace(): Token {
    let t: Token;
    do t = this.next();
    while (t.type === 'space');
    return t;
  }

  private peekNonSpace(): Token {
    while (this.peek().type === 'space') this.next();
    return this.peek();
  }

  private unexpected(t: Token, context: string): never {
    this.fail(`unexpected ${describe(t)} in ${context}`, t.pos);
  }

  private expectRight(context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== 'right') this.unexpected(t, context);
    return t;
  }

  private textOrAction(): Node | Terminator | null {
    const t = this.nextNonSpace();
    if (t.type === 'text') return { kind: 'text', text: t.value };
    if (t.type === 'comment') return null;
    if (t.type === 'left') return this.action();
    this.unexpected(t, 'input');
  }

  /** Nodes up to the `{{end}}` or `{{else}}` that closes them. */
  private itemList(): [Node[], Terminator] {
    const list: Node[] = [];
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n === null) continue;
      if (n.kind === 'end' || n.kind === 'else') return [list, n as Terminator];
      list.push(n as Node);
    }
    this.fail('unexpected EOF', this.input.length);
  }

  private action(): Node | Terminator {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.value) {
        case 'if':
        case 'range':
        case 'with':
          return this.control(t.value, t.pos);
        case 'else': {
          const p = this.peekNonSpace();
          if (p.type === 'keyword' && (p.value === 'if' || p.value === 'with')) return { kind: 'else', pos: t.pos, elseKeyword: p.value };
          this.expectRight('else');
          return { kind: 'else', pos: t.pos };
        }
        case 'end':
          this.expectRight('end');
          return { kind: 'end', pos: t.pos };
        case 'break':
        case 'continue':
          if (this.functions.has(t.value)) break;
          if (this.rangeDepth === 0) this.fail(`{{${t.value}}} outside {{range}}`);
          this.expectRight(`{{${t.value}}}`);
          return { kind: t.value, pos: t.pos };
        case 'template':
          return this.templateCall(t.pos, 'template clause');
        case 'block':
          return this.block(t.pos);
        case 'define':
          this.fail('unexpected <define> in command');
      }
      if (t.value !== 'break' && t.value !== 'continue') this.fail(`unexpected <${t.value}> in command`);
      this.i--;
      const at = this.peek();
      const pipe = this.pipeline('command', 'right');
      return { kind: 'action', pos: at.pos, pipe };
    }
    this.i--;
    return { kind: 'action', pos: t.pos, pipe: this.pipeline('command', 'right') };
  }

  private templateCall(pos: number, context: string): Node {
    const name = this.templateName(this.nextNonSpace(), context);
    let pipe: Pipe | undefined;
    if (this.peekNonSpace().type !== 'right') pipe = this.pipeline(context, 'right');
    else this.next();
    return { kind: 'template', pos, name, ...(pipe ? { pipe } : {}) };
  }

  /** `{{block "name" pipeline}}…{{end}}`: defines the template and calls it here. */
  private block(pos: number): Node {
    const nameTok = this.nextNonSpace();
    const name = this.templateName(nameTok, 'block clause');
    const pipe = this.pipeline('block clause', 'right');
    this.enterControl();
    const mark = this.vars.length;
    this.vars.length = 1;
    const [list, end] = this.itemList();
    this.vars.length = mark;
    this.controlDepth--;
    if (end.kind !== 'end') this.fail('unexpected {{else}}', end.pos);
    this.addDefine(name, list, nameTok.pos);
    return { kind: 'template', pos, name, pipe };
  }

  private enterControl(): void {
    if (++this.controlDepth > this.maxDepth) this.fail('max control structure depth exceeded');
  }

  private control(context: 'if' | 'range' | 'with', pos: number): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(context, 'right');
    this.enterControl();
    if (context === 'range') this.rangeDepth++;
    const outerRange = this.rangeDepth;
    let [list, end] = this.itemList();
    let elseList: Node[] | undefined;
    if (end.kind === 'else') {
      if (context === 'range') this.rangeDepth = 0; // {{break}} in a range's else is outside it
      if (context !== 'range' && end.elseKeyword === context) {
        // {{else if …}} / {{else with …}}: a nested control that ends with the same {{end}}.
        const k = this.nextNonSpace();
        elseList = [this.control(context, k.pos)];
      } else {
        if (end.elseKeyword) this.fail(`unexpected <${end.elseKeyword}> in else`, end.pos);
        [elseList, end] = this.itemList();
        if (end.kind !== 'end') this.fail('expected end; found {{else}}', end.pos);
      }
      if (context === 'range') this.rangeDepth = outerRange;
    }
    if (context === 'range') this.rangeDepth--;
    this.controlDepth--;
    this.vars.length = mark;
    return { kind: context, pos, pipe, list, ...(elseList ? { elseList } : {}) };
  }

  private pipeline(context: string, end: 'right' | 'rightParen'): Pipe {
    const pipe: Pipe = { pos: this.peekNonSpace().pos, decl: [], isAssign: false, cmds: [] };
    while (this.peekNonSpace().type === 'variable') {
      const at = this.i;
      const v = this.next();
      const n = this.peekNonSpace();
      if (n.type === 'assign' || n.type === 'declare') {
        pipe.isAssign = n.type === 'assign';
        this.next();
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        break;
      }
      if (n.type === 'char' && n.value === ',') {
        this.next();
        pipe.decl.push(v.value);
        this.vars.push(v.value);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace();
          if (p.type === 'variable' || p.type === 'right' || p.type === 'rightParen') continue;
          this.fail('range can only initialize variables');
        }
        this.fail(`too many declarations in ${context}`);
      }
      this.i = at;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((c, i) => {
          if (['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0]!.kind)) this.fail(`non executable command in pipeline stage ${i + 2}`, c.pos);
        });
        return pipe;
      }
      if (!OPERAND_START.has(t.type)) this.unexpected(t, context);
      this.i--;
      pipe.cmds.push(this.command());
    }
  }

  private command(): Command {
    const args: Arg[] = [];
    const pos = this.peekNonSpace().pos;
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) args.push(op);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'right' || t.type === 'rightParen') this.i--;
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) this.fail('empty command');
    const last = args[args.length - 1]!;
    return { pos, start: args[0]!.start, src: this.input.slice(args[0]!.start, last.start + last.src.length), args };
  }

  /** A term and the fields chained onto it (`.A.B`, `$x.A`, `(pipeline).A`). */
  private operand(): Arg | null {
    const node = this.term();
    if (!node || this.peek().type !== 'field') return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    let endPos = 0;
    while (this.peek().type === 'field') {
      const f = this.next();
      fields.push(f.value.slice(1));
      endPos = f.pos + f.value.length;
    }
    const start = node.start;
    const src = this.input.slice(start, endPos);
    switch (node.kind) {
      case 'field':
        return { kind: 'field', names: [...node.names, ...fields], pos: chainPos, start, src };
      case 'variable':
        return { kind: 'variable', name: node.name, fields: [...node.fields, ...fields], pos: chainPos, start, src };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.fail(`unexpected . after term ${goQuote(node.src)}`);
      // falls through: fail never returns
      default:
        return { kind: 'chain', node, fields, pos: chainPos, start, src };
    }
  }

  private term(): Arg | null {
    const t = this.nextNonSpace();
    const at = { pos: t.pos, start: t.pos, src: t.value };
    switch (t.type) {
      case 'identifier':
        if (!this.functions.has(t.value)) this.fail(`function ${goQuote(t.value)} not defined`);
        return { kind: 'identifier', name: t.value, ...at };
      case 'dot':
        return { kind: 'dot', ...at };
      case 'nil':
        return { kind: 'nil', ...at };
      case 'variable':
        if (!this.vars.includes(t.value)) this.fail(`undefined variable ${goQuote(t.value)}`);
        return { kind: 'variable', name: t.value, fields: [], ...at };
      case 'field':
        return { kind: 'field', names: [t.value.slice(1)], ...at };
      case 'bool':
        return { kind: 'bool', value: t.value === 'true', ...at };
      case 'number':
      case 'complex':
      case 'charConst':
        return { kind: 'number', value: this.number(t), ...at };
      case 'leftParen': {
        if (++this.controlDepth > this.maxDepth) this.fail('max expression depth exceeded');
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        this.controlDepth--;
        return { kind: 'pipe', pipe, pos: t.pos, start: t.pos, src: this.input.slice(t.pos, this.last.pos + 1) };
      }
      case 'string':
      case 'rawString':
        return { kind: 'string', value: this.unquote(t), ...at };
      default:
        this.i--;
        return null;
    }
  }

  private number(t: Token): NumberValue {
    const n = parseNumber(t.type === 'charConst' ? 'char' : t.type === 'complex' ? 'complex' : 'number', t.value);
    if (typeof n === 'string') this.fail(n);
    return n;
  }

  private unquote(t: Token): string {
    const s = unquote(t.value);
    if (s === undefined || (t.type === 'charConst' && [...s].length !== 1)) this.fail(`malformed ${t.type === 'charConst' ? 'character constant' : 'string'}: ${t.value}`);
    return s;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's strconv.ParseInt/ParseUint with base 0 (prefixes, underscores between digits); undefined if not an integer. */
function parseGoInt(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let body = s;
  let prefixed = false;
  if (/^0[xX]/.test(s)) [base, body, prefixed] = [16, s.slice(2), true];
  else if (/^0[bB]/.test(s)) [base, body, prefixed] = [2, s.slice(2), true];
  else if (/^0[oO]/.test(s)) [base, body, prefixed] = [8, s.slice(2), true];
  else if (/^0./.test(s)) [base, body, prefixed] = [8, s.slice(1), true];
  if (body.includes('_')) {
    // Underscores only between digits, or after a base prefix.
    const check = (prefixed ? '0' : '') + body;
    if (!/^(?:[0-9a-fA-F]+_?)*[0-9a-fA-F]$/.test(check.replace(/^0_/, '0')) && !/^0_/.test(check)) return undefined;
    if (/__|_$/.test(body) || (!prefixed && body.startsWith('_'))) return undefined;
    body = body.replace(/_/g, '');
  }
  const digits = { 16: /^[0-9a-fA-F]+$/, 10: /^[0-9]+$/, 8: /^[0-7]+$/, 2: /^[01]+$/ }[base]!;
  if (!digits.test(body)) return s === '0' ? 0n : undefined;
  const prefix = { 16: '0x', 10: '', 8: '0o', 2: '0b' }[base];
  const v = BigInt(prefix + body);
  return neg ? -v : v;
}

/** Go's strconv.ParseFloat (decimal and hex floats, underscores between digits); undefined if malformed. */
function parseGoFloat(text: string): number | undefined {
  const exp = /^[+-]?0[xX]/.test(text) ? '[pP]' : '[eE]';
  if (/__|_$|^[+-]?_|_\.|\._/.test(text) || new RegExp(`_${exp}|${exp}[+-]?_`).test(text)) return undefined;
  const s = text.replace(/_/g, '');
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex) {
    const [, sign, int = '', frac = '', exp] = hex;
    if (int === '' && frac === '') return undefined;
    const mant = BigInt(`0x${int}${frac}` === '0x' ? '0' : `0x${int}${frac}`);
    const v = Number(mant) * 2 ** (Number(exp) - 4 * frac.length);
    return sign === '-' ? -v : v;
  }
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

/** Go's parse.newNumber: which of int64, uint64, float64 and complex128 hold the constant; or the error text. */
export function parseNumber(type: 'number' | 'complex' | 'char', text: string): NumberValue | string {
  const n: NumberValue = { text, isInt: false, isUint: false, isFloat: false, isComplex: false, int64: 0n, uint64: 0n, float64: 0, complex: { re: 0, im: 0 } };
  const simplify = () => {
    n.isFloat = n.complex.im === 0;
    if (n.isFloat) {
      n.float64 = n.complex.re;
      n.isInt = Number.isInteger(n.float64) && Math.abs(n.float64) < 2 ** 63;
      if (n.isInt) n.int64 = BigInt(n.float64);
      n.isUint = Number.isInteger(n.float64) && n.float64 >= 0 && n.float64 < 2 ** 64;
      if (n.isUint) n.uint64 = BigInt(n.float64);
    }
  };
  if (type === 'char') {
    const s = unquote(text);
    if (s === undefined || [...s].length !== 1) return `malformed character constant: ${text}`;
    const r = BigInt(s.codePointAt(0)!);
    Object.assign(n, { isInt: true, isUint: true, isFloat: true, int64: r, uint64: r, float64: Number(r) });
    return n;
  }
  if (type === 'complex') {
    const m = /^([+-]?[^+-]+(?:[eEpP][+-][^+-]*)?)([+-].*)i$/.exec(text);
    const re = m ? parseGoFloat(m[1]!) ?? (parseGoInt(m[1]!) !== undefined ? Number(parseGoInt(m[1]!)) : undefined) : undefined;
    const im = m ? parseGoFloat(m[2]!) ?? (parseGoInt(m[2]!) !== undefined ? Number(parseGoInt(m[2]!)) : undefined) : undefined;
    if (re === undefined || im === undefined) return `illegal number syntax: ${goQuote(text)}`;
    n.isComplex = true;
    n.complex = { re, im };
    simplify();
    return n;
  }
  if (text.endsWith('i')) {
    const body = text.slice(0, -1);
    // An imaginary literal's digits are decimal, even with a leading 0 (073i is 73i).
    const f = /^[+-]?0[xXbBoO]/.test(body) ? (parseGoInt(body) !== undefined ? Number(parseGoInt(body)) : parseGoFloat(body)) : parseGoFloat(body);
    if (f !== undefined) {
      n.isComplex = true;
      n.complex = { re: 0, im: f };
      simplify();
      return n;
    }
  }
  const i = parseGoInt(text);
  if (i !== undefined) {
    if (i >= 0n && i <= UINT64_MAX && !/^[+-]/.test(text)) {
      n.isUint = true;
      n.uint64 = i;
    }
    if (i >= INT64_MIN && i <= INT64_MAX) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) n.isUint = true;
    }
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float64 = Number(n.int64);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float64 = Number(n.uint64);
  } else {
    const f = parseGoFloat(text);
    if (f !== undefined && Number.isFinite(f)) {
      if (!/[.eEpP]/.test(text)) return `integer overflow: ${goQuote(text)}`;
      n.isFloat = true;
      n.float64 = f;
      if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
        n.isInt = true;
        n.int64 = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
        n.isUint = true;
        n.uint64 = BigInt(f);
      }
    } else if (i !== undefined) return `integer overflow: ${goQuote(text)}`;
  }
  if (!n.isInt && !n.isUint && !n.isFloat) return `illegal number syntax: ${goQuote(text)}`;
  return n;
}

/** parse.IsEmptyTree: nothing but space and comments. */
function isEmpty(list: Node[]): boolean {
  return list.every((n) => n.kind === 'text' && n.text.trim() === '');
}

/** A tree printed as Go's Node.String() prints it (text quoted, as Go's parse tests print it). */
export function treeString(list: Node[]): string {
  return list.map(nodeString).join('');
}

function nodeString(n: Node): string {
  switch (n.kind) {
    case 'text':
      return goQuote(n.text);
    case 'action':
      return `{{${pipeString(n.pipe)}}}`;
    case 'if':
    case 'with':
    case 'range':
      return `{{${n.kind} ${pipeString(n.pipe)}}}${treeString(n.list)}${n.elseList ? `{{else}}${treeString(n.elseList)}` : ''}{{end}}`;
    case 'break':
    case 'continue':
      return `{{${n.kind}}}`;
    case 'template':
      return `{{template ${goQuote(n.name)}${n.pipe ? ` ${pipeString(n.pipe)}` : ''}}}`;
  }
}

function pipeString(p: Pipe): string {
  const decl = p.decl.length ? `${p.decl.join(', ')} ${p.isAssign ? '=' : ':='} ` : '';
  return decl + p.cmds.map((c) => c.args.map(argString).join(' ')).join(' | ');
}

function argString(a: Arg): string {
  switch (a.kind) {
    case 'field':
      return a.names.map((x) => `.${x}`).join('');
    case 'variable':
      return [a.name, ...a.fields].join('.');
    case 'chain':
      return `${a.node.kind === 'pipe' ? argString(a.node) : argString(a.node)}${a.fields.map((x) => `.${x}`).join('')}`;
    case 'identifier':
      return a.name;
    case 'pipe':
      return `(${pipeString(a.pipe)})`;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(a.value);
    case 'number':
      return a.value.text;
    case 'string':
      return goQuote(a.value);
  }
}

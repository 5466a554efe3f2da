/**
 * The parser of Go's text/template (src/text/template/parse/parse.go): the same grammar, the same checks at
 * parse time (undefined functions and variables, `{{break}}` outside range, non-executable pipeline stages) and
 * the same messages, with the position as `template: LINE:COL:` (COL counted from 0, as Go counts it).
 */
import { UsageError } from '../errors.js';
import { lex, type Token } from './lex.js';
import { goQuote, unquote } from './quote.js';

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
  | { kind: 'number'; value: number }
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
  | { kind: 'break' | 'continue'; pos: number };

type Terminator = { kind: 'end' | 'else'; pos: number };

/** Go's position: the line (from 1) and the byte offset within it (from 0). */
export function position(input: string, pos: number): string {
  const before = input.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  return `${before.split('\n').length}:${pos - nl - 1}`;
}

export function templateError(input: string, pos: number, message: string): UsageError {
  return new UsageError(`template: ${position(input, pos)}: ${message}`);
}

/** How a token reads in "unexpected X in Y" (Go's item.String). */
function describe(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'keyword') return `<${t.value}>`;
  if (t.type === 'right') return '"}}"';
  return t.value.length > 10 ? `${goQuote(t.value.slice(0, 10))}...` : goQuote(t.value);
}

const OPERAND_START = new Set(['bool', 'charConst', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

export function parse(input: string, functions: ReadonlySet<string>): Node[] {
  return new Parser(input, functions).parse();
}

class Parser {
  private readonly tokens: Token[];
  private i = 0;
  private last: Token;
  private readonly vars = ['$'];
  private rangeDepth = 0;

  constructor(private readonly input: string, private readonly functions: ReadonlySet<string>) {
    this.tokens = lex(input);
    this.last = this.tokens[0]!;
  }

  parse(): Node[] {
    const list: Node[] = [];
    while (this.peek().type !== 'eof') {
      const n = this.textOrAction();
      if (n === null) continue;
      if (n.kind === 'end' || n.kind === 'else') this.fail(`unexpected {{${n.kind}}}`, n.pos);
      list.push(n as Node);
    }
    return list;
  }

  private fail(message: string, pos: number = this.last.pos): never {
    throw templateError(this.input, pos, message);
  }

  private next(): Token {
    const t = this.tokens[this.i]!;
    if (t.type !== 'eof') this.i++;
    this.last = t;
    if (t.type === 'error') this.fail(t.value);
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
          if (p.type !== 'keyword' || (p.value !== 'if' && p.value !== 'with')) this.expectRight('else');
          return { kind: 'else', pos: t.pos };
        }
        case 'end':
          this.expectRight('end');
          return { kind: 'end', pos: t.pos };
        case 'break':
        case 'continue':
          if (this.rangeDepth === 0) this.fail(`{{${t.value}}} outside {{range}}`);
          this.expectRight(`{{${t.value}}}`);
          return { kind: t.value, pos: t.pos };
        default:
          this.fail(`{{${t.value}}} is not supported (one template only)`);
      }
    }
    this.i--;
    return { kind: 'action', pos: t.pos, pipe: this.pipeline('command', 'right') };
  }

  private control(context: 'if' | 'range' | 'with', pos: number): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(context, 'right');
    if (context === 'range') this.rangeDepth++;
    let [list, end] = this.itemList();
    if (context === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (end.kind === 'else') {
      const p = this.peek();
      if (context !== 'range' && p.type === 'keyword' && p.value === context) {
        this.next();
        elseList = [this.control(context, p.pos)];
      } else {
        [elseList, end] = this.itemList();
        if (end.kind !== 'end') this.fail('expected end; found {{else}}', end.pos);
      }
    }
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
      case 'charConst':
        return { kind: 'number', value: this.number(t), ...at };
      case 'leftParen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
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

  private number(t: Token): number {
    if (t.type === 'charConst') return this.unquote(t).codePointAt(0)!;
    const text = t.value.replace(/_/g, '');
    const sign = text.startsWith('-') ? -1 : 1;
    const body = text.replace(/^[+-]/, '');
    const n = /^0[xob]/i.test(body) && !/[.p]/i.test(body) ? Number(body) : /^0\d+$/.test(body) ? parseInt(body, 8) : Number(body);
    if (body === '' || !Number.isFinite(n) || t.value.endsWith('i')) this.fail(`illegal number syntax: ${goQuote(t.value)}`);
    return sign * n;
  }

  private unquote(t: Token): string {
    const s = unquote(t.value);
    if (s === undefined || (t.type === 'charConst' && [...s].length !== 1)) this.fail(`malformed ${t.type === 'charConst' ? 'character constant' : 'string'}: ${t.value}`);
    return s;
  }
}

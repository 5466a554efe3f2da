/**
 * The executor of Go's text/template (src/text/template/exec.go) over plain data: dot, variables and their
 * scopes, field chains, function calls with pipelined final arguments, if/with/range (lists, maps in key order,
 * integers) with else, break and continue. Errors read `template: LINE:COL: executing at <NODE>: …`.
 */
import { formatValue, goType } from './fmt.js';
import type { TemplateFunction } from './funcs.js';
import { templateError, type Arg, type Command, type Control, type Node, type Pipe } from './parse.js';
import { isNil, isRecord, isTrue, recordType } from './values.js';

/** No final argument from an earlier pipeline stage. */
const MISSING = Symbol('missing');
type Final = unknown;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

interface Located {
  pos: number;
  src: string;
}

export function execute(input: string, nodes: Node[], data: unknown, functions: ReadonlyMap<string, TemplateFunction>): string {
  const state = new State(input, functions, data);
  state.walk(data, nodes);
  return state.out.join('');
}

class State {
  readonly out: string[] = [];
  private readonly vars: { name: string; value: unknown }[];
  private node: Located = { pos: 0, src: '' };

  constructor(private readonly input: string, private readonly functions: ReadonlyMap<string, TemplateFunction>, data: unknown) {
    this.vars = [{ name: '$', value: data }];
  }

  private at(node: Located): void {
    this.node = node;
  }

  private fail(message: string): never {
    throw templateError(this.input, this.node.pos, `executing at <${this.node.src}>: ${message}`);
  }

  walk(dot: unknown, nodes: Node[]): void {
    for (const n of nodes) {
      switch (n.kind) {
        case 'text':
          this.out.push(n.text);
          break;
        case 'action': {
          const v = this.evalPipeline(dot, n.pipe);
          if (n.pipe.decl.length === 0) this.out.push(isNil(v) ? '<no value>' : formatValue(v));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.evalPipeline(dot, n.pipe);
          if (isTrue(v)) this.walk(n.kind === 'with' ? v : dot, n.list);
          else if (n.elseList) this.walk(dot, n.elseList);
          this.vars.length = mark;
          break;
        }
        case 'range':
          this.walkRange(dot, n);
          break;
        case 'break':
          throw BREAK;
        case 'continue':
          throw CONTINUE;
      }
    }
  }

  private walkRange(dot: unknown, r: Control): void {
    const mark = this.vars.length;
    const value = this.evalPipeline(dot, r.pipe);
    const { decl, isAssign } = r.pipe;
    /** One pass of the body; true when it ran {{break}}. */
    const once = (index: unknown, elem: unknown): boolean => {
      if (isAssign) {
        if (decl.length === 2) this.setVar(decl[0]!, index);
        if (decl.length > 0) this.setVar(decl[decl.length - 1]!, elem);
      } else if (decl.length > 0) {
        this.vars[this.vars.length - 1]!.value = elem;
        if (decl.length === 2) this.vars[this.vars.length - 2]!.value = index;
      }
      const inner = this.vars.length;
      try {
        this.walk(elem, r.list);
      } catch (e) {
        if (e === BREAK) return true;
        if (e !== CONTINUE) throw e;
      } finally {
        this.vars.length = inner;
      }
      return false;
    };
    let entries: [unknown, unknown][];
    if (Array.isArray(value)) {
      entries = value.map((e, i) => [i, e]);
    } else if (typeof value === 'number' && Number.isInteger(value)) {
      if (decl.length > 1) this.fail(`can't use ${value} to iterate over more than one variable`);
      entries = Array.from({ length: Math.max(0, value) }, (_, i) => [i, i]);
    } else if (isNil(value)) {
      entries = [];
    } else if (typeof value === 'object' && !isRecord(value)) {
      entries = Object.keys(value).sort().map((k) => [k, (value as Record<string, unknown>)[k]]);
    } else {
      this.fail(`range can't iterate over ${formatValue(value)}`);
    }
    for (const [i, e] of entries) if (once(i, e)) break;
    if (entries.length === 0 && r.elseList) this.walk(dot, r.elseList);
    this.vars.length = mark;
  }

  private evalPipeline(dot: unknown, pipe: Pipe): unknown {
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: Command, final: Final): unknown {
    const first = cmd.args[0]!;
    this.at(first);
    switch (first.kind) {
      case 'field':
        return this.evalFields(dot, first, first.names, cmd, final);
      case 'chain':
        if (first.node.kind === 'nil') this.fail(`indirection through explicit nil in ${first.src}`);
        return this.evalFields(this.evalArg(dot, first.node), first, first.fields, cmd, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, final);
      case 'variable':
        return this.evalVariable(first, cmd, final);
    }
    this.notAFunction(cmd, final);
    switch (first.kind) {
      case 'pipe':
        return this.evalPipeline(dot, first.pipe);
      case 'dot':
        return dot;
      case 'nil':
        return this.fail('nil is not a command');
      default:
        return first.value;
    }
  }

  private notAFunction(cmd: Command | null, final: Final): void {
    if (cmd && (cmd.args.length > 1 || final !== MISSING)) this.fail(`can't give argument to non-function ${cmd.args[0]!.src}`);
  }

  private evalArg(dot: unknown, arg: Arg): unknown {
    this.at(arg);
    switch (arg.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFields(dot, arg, arg.names, null, MISSING);
      case 'variable':
        return this.evalVariable(arg, null, MISSING);
      case 'pipe':
        return this.evalPipeline(dot, arg.pipe);
      case 'identifier':
        return this.evalFunction(dot, arg, null, MISSING);
      case 'chain':
        if (arg.node.kind === 'nil') this.fail(`indirection through explicit nil in ${arg.src}`);
        return this.evalFields(this.evalArg(dot, arg.node), arg, arg.fields, null, MISSING);
      default:
        return arg.value;
    }
  }

  private evalVariable(v: Arg & { kind: 'variable' }, cmd: Command | null, final: Final): unknown {
    const value = this.lookup(v.name);
    if (v.fields.length === 0) {
      this.notAFunction(cmd, final);
      return value;
    }
    return this.evalFields(value, v, v.fields, cmd, final);
  }

  private evalFields(receiver: unknown, node: Located, names: string[], cmd: Command | null, final: Final): unknown {
    const hasArgs = (cmd !== null && cmd.args.length > 1) || final !== MISSING;
    names.forEach((name, i) => {
      receiver = this.evalField(name, node, hasArgs && i === names.length - 1, receiver);
    });
    return receiver;
  }

  private evalField(name: string, node: Located, hasArgs: boolean, receiver: unknown): unknown {
    this.at(node);
    if (isNil(receiver)) return undefined;
    if (isRecord(receiver)) {
      if (!Object.hasOwn(receiver, name)) this.fail(`can't evaluate field ${name} in type ${recordType(receiver)}`);
      if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
      return receiver[name];
    }
    if (typeof receiver === 'object' && !Array.isArray(receiver)) {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      return Object.hasOwn(receiver, name) ? (receiver as Record<string, unknown>)[name] : undefined;
    }
    this.fail(`can't evaluate field ${name} in type ${goType(receiver)}`);
  }

  private evalFunction(dot: unknown, ident: Arg & { kind: 'identifier' }, cmd: Command | null, final: Final): unknown {
    const name = ident.name;
    const fn = this.functions.get(name)!;
    const argNodes = cmd ? cmd.args.slice(1) : [];
    const count = argNodes.length + (final === MISSING ? 0 : 1);
    this.at(ident);
    if (count < fn.min || (fn.max !== undefined && count > fn.max)) {
      this.fail(`wrong number of args for ${name}: want ${fn.max === undefined ? 'at least ' : ''}${fn.max ?? fn.min} got ${count}`);
    }
    const args: unknown[] = [];
    if (name === 'and' || name === 'or') {
      // Evaluated left to right, stopping at the first argument that decides the result.
      for (const a of argNodes) {
        const v = this.evalArg(dot, a);
        if (isTrue(v) === (name === 'or')) return v;
        args.push(v);
      }
    } else {
      for (const a of argNodes) args.push(this.evalArg(dot, a));
    }
    if (final !== MISSING) args.push(final);
    try {
      return fn.call(...args);
    } catch (e) {
      this.at(cmd ?? ident);
      this.fail(`error calling ${name}: ${(e as Error).message}`);
    }
  }

  private lookup(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return this.fail(`undefined variable: ${name}`);
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }
}

/**
 * The executor of Go's text/template (src/text/template/exec.go) over Go-typed data (values.ts): dot, variables and
 * their scopes, field chains, function calls with typed arguments and pipelined final arguments, if/with/range
 * (slices, maps in key order, integers) with else, break and continue, and template calls (`template`, `block`)
 * up to MAX_DEPTH deep. Errors read `template: LINE:COL: executing at <NODE>: …`.
 *
 * Execution is a generator that yields every few thousand steps, so a driver can write the output produced so far,
 * let the event loop run (signals) and check for cancellation: `{{range 100000000}}x{{end}}` streams in chunks.
 */
import { formatAction, formatValue, goType } from './fmt.js';
import type { ParamType, TemplateFunction } from './funcs.js';
import { MAX_DEPTH, templateError, type Arg, type Command, type Control, type Node, type Pipe, type Tree } from './parse.js';
import {
  declaredType, elements, intValue, isTrue, keyValue, kindOf, mapEntry, Scalar, sortedKeys, stringValue, structField, structType, T,
  typeOf,
} from './values.js';

const flat = new WeakMap<Node[], boolean>();

/** Whether a list holds only text, actions, break and continue (nothing that nests or calls a template). */
function isFlat(list: Node[]): boolean {
  let f = flat.get(list);
  if (f === undefined) {
    f = list.length < 64 && list.every((n) => n.kind === 'text' || n.kind === 'action' || n.kind === 'break' || n.kind === 'continue');
    flat.set(list, f);
  }
  return f;
}

/** No final argument from an earlier pipeline stage. */
const MISSING = Symbol('missing');
type Final = unknown;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

interface Located {
  pos: number;
  src: string;
}

/** Output handed to the driver. */
export interface Sink {
  write(text: string): void;
}

/** How often (in steps) execution yields to its driver. */
const STEPS_PER_YIELD = 4096;

/** Runs the template, writing to `sink`; yields now and then (see the module's comment). */
export function* execute(input: string, tree: Tree, data: unknown, functions: ReadonlyMap<string, TemplateFunction>, sink: Sink): Generator<void, void, void> {
  const state = new State(input, tree, functions, data === null ? undefined : data, sink);
  yield* state.walk(state.dot0, tree.root);
}

class State {
  private vars: { name: string; value: unknown }[];
  private node: Located = { pos: 0, src: '' };
  private steps = 0;
  private depth = 0;
  private name = '';

  constructor(
    private readonly input: string,
    private readonly tree: Tree,
    private readonly functions: ReadonlyMap<string, TemplateFunction>,
    readonly dot0: unknown,
    private readonly sink: Sink,
  ) {
    this.vars = [{ name: '$', value: dot0 }];
  }

  private at(node: Located): void {
    this.node = node;
  }

  private fail(message: string): never {
    const where = this.name ? `executing ${JSON.stringify(this.name)} at` : 'executing at';
    throw templateError(this.input, this.node.pos, `${where} <${this.node.src}>: ${message}`);
  }

  *walk(dot: unknown, nodes: Node[]): Generator<void, void, void> {
    for (const n of nodes) {
      if (++this.steps >= STEPS_PER_YIELD) {
        this.steps = 0;
        yield;
      }
      switch (n.kind) {
        case 'text':
          this.sink.write(n.text);
          break;
        case 'action': {
          const v = this.evalPipeline(dot, n.pipe);
          if (n.pipe.decl.length === 0) this.sink.write(v === undefined || v === null ? '<no value>' : formatAction(v));
          break;
        }
        case 'if':
        case 'with': {
          const mark = this.vars.length;
          const v = this.evalPipeline(dot, n.pipe);
          if (isTrue(v)) yield* this.walk(n.kind === 'with' ? v : dot, n.list);
          else if (n.elseList) yield* this.walk(dot, n.elseList);
          this.vars.length = mark;
          break;
        }
        case 'range':
          yield* this.walkRange(dot, n);
          break;
        case 'break':
          throw BREAK;
        case 'continue':
          throw CONTINUE;
        case 'template':
          yield* this.walkTemplate(dot, n);
          break;
      }
    }
  }

  /** A list of text and actions only (the common body of a range): walked without a generator per pass. */
  walkFlat(dot: unknown, nodes: Node[]): void {
    for (const n of nodes) {
      if (n.kind === 'text') this.sink.write(n.text);
      else if (n.kind === 'action') {
        const v = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.sink.write(v === undefined || v === null ? '<no value>' : formatAction(v));
      } else if (n.kind === 'break') throw BREAK;
      else throw CONTINUE;
    }
  }

  private *walkTemplate(dot: unknown, t: Node & { kind: 'template' }): Generator<void, void, void> {
    this.at({ pos: t.pos, src: `template ${JSON.stringify(t.name)}` });
    const list = this.tree.defines.get(t.name);
    if (!list) this.fail(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.fail(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, t.pipe) : undefined;
    const saved = { vars: this.vars, name: this.name };
    this.vars = [{ name: '$', value: newDot }];
    this.name = t.name;
    this.depth++;
    try {
      yield* this.walk(newDot, list);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.name = saved.name;
    }
  }

  private *walkRange(dot: unknown, r: Control): Generator<void, void, void> {
    const mark = this.vars.length;
    this.at({ pos: r.pos, src: 'range' });
    const value = this.evalPipeline(dot, r.pipe);
    const { decl, isAssign } = r.pipe;
    const self = this;
    /** One pass of the body; true when it ran {{break}}. */
    function* once(index: unknown, elem: unknown): Generator<void, boolean, void> {
      if (decl.length > 0) {
        if (isAssign) self.setVar(decl[0]!, decl.length > 1 ? index : elem);
        else self.vars[self.vars.length - 1]!.value = elem;
      }
      if (decl.length > 1) {
        if (isAssign) self.setVar(decl[1]!, elem);
        else self.vars[self.vars.length - 2]!.value = index;
      }
      const inner = self.vars.length;
      try {
        if (isFlat(r.list)) self.walkFlat(elem, r.list);
        else yield* self.walk(elem, r.list);
      } catch (e) {
        if (e === BREAK) return true;
        if (e !== CONTINUE) throw e;
      } finally {
        self.vars.length = inner;
      }
      return false;
    }
    let ran = false;
    const kind = kindOf(value);
    if (kind === 'slice' || kind === 'array') {
      const elems = elements(value as unknown[]);
      for (let i = 0; i < elems.length; i++) {
        ran = true;
        if (yield* once(i, elems[i])) break;
      }
    } else if (kind === 'int' || kind === 'uint') {
      if (decl.length > 1) this.fail(`can't use ${formatValue(value)} to iterate over more than one variable`);
      const n = intValue(value)!;
      const t = typeOf(value)!;
      for (let i = 0n; i < n; i++) {
        ran = true;
        const v = t === T.int ? (i <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i) : i) : new Scalar(t, i);
        if (yield* once(v, v)) break;
        if (++this.steps >= STEPS_PER_YIELD) {
          this.steps = 0;
          yield;
        }
      }
    } else if (kind === 'map') {
      for (const k of sortedKeys(value as object)) {
        ran = true;
        if (yield* once(keyValue(value as object, k), mapEntry(value as object, k))) break;
      }
    } else if (kind !== 'invalid' && kind !== 'nil') {
      this.fail(`range can't iterate over ${formatValue(value)}`);
    }
    if (!ran && r.elseList) yield* this.walk(dot, r.elseList);
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
      case 'pipe':
        this.notAFunction(cmd, final);
        return this.evalPipeline(dot, first.pipe);
    }
    this.notAFunction(cmd, final);
    switch (first.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return this.fail('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      default:
        return first.value;
    }
  }

  /** A number constant's value: complex128, float64 or int, as its text says; an int must fit int64. */
  private idealConstant(n: Arg & { kind: 'number' }): unknown {
    this.at(n);
    const c = n.value;
    if (c.isComplex) return new Scalar(T.complex128, c.complex);
    if (c.isFloat && !/^[+-]?0[xX][^pP]*$/.test(c.text) && !c.text.startsWith("'") && /[.eEpP]/.test(c.text)) return new Scalar(T.float64, c.float64);
    if (c.isInt) return c.int64;
    if (c.isUint) this.fail(`${c.text} overflows int`);
    return undefined;
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
      case 'number':
        return this.idealConstant(arg);
      default:
        return arg.value;
    }
  }

  /** An argument for a parameter of Go type `type` (Go's evalArg): literals must suit it, values must have it. */
  private typedArg(dot: unknown, type: ParamType, arg: Arg): unknown {
    this.at(arg);
    if (arg.kind === 'nil') {
      if (type === 'any' || type === 'value') return null;
      this.fail(`cannot assign nil to ${type}`);
    }
    if (type === 'string' && (arg.kind === 'number' || arg.kind === 'bool')) this.fail(`expected string; found ${arg.src}`);
    if (type === 'int' && (arg.kind === 'string' || arg.kind === 'bool' || (arg.kind === 'number' && !arg.value.isInt))) {
      this.fail(`expected integer; found ${arg.src}`);
    }
    return this.validate(this.evalArg(dot, arg), type);
  }

  private validate(v: unknown, type: ParamType): unknown {
    if (v === undefined) {
      if (type === 'any') return null;
      if (type === 'value') return undefined;
      this.fail(`invalid value; expected ${type}`);
    }
    if (type === 'string') {
      const s = stringValue(v);
      if (s === undefined) this.fail(`wrong type for value; expected string; got ${goType(v)}`);
      return s;
    }
    if (type === 'int') {
      const t = typeOf(v);
      if (t !== T.int) this.fail(`wrong type for value; expected int; got ${goType(v)}`);
      return Number(intValue(v));
    }
    return v;
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
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    const t = typeOf(receiver)!;
    if (receiver instanceof Scalar && receiver.v === null && (t.kind === 'ptr' || t.kind === 'time')) {
      if (t.elem?.kind === 'struct' && !t.elem.fields!.some(([f]) => f === name)) this.fail(`can't evaluate field ${name} in type ${t.name}`);
      this.fail(`nil pointer evaluating ${t.name}.${name}`);
    }
    if (typeof receiver === 'object' && !(receiver instanceof Scalar)) {
      if (structType(receiver)) {
        const f = structField(receiver, name);
        if (!f.found) this.fail(`can't evaluate field ${name} in type ${t.name}`);
        if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
        return f.value;
      }
      if (!Array.isArray(receiver) && (!t.key || t.key.kind === 'string' || t.key.kind === 'interface')) {
        if (hasArgs) this.fail(`${name} is not a method but has arguments`);
        return mapEntry(receiver, name);
      }
    }
    this.fail(`can't evaluate field ${name} in type ${t.name}`);
  }

  private evalFunction(dot: unknown, ident: Arg & { kind: 'identifier' }, cmd: Command | null, final: Final): unknown {
    const name = ident.name;
    const fn = this.functions.get(name)!;
    const argNodes = cmd ? cmd.args.slice(1) : [];
    const count = argNodes.length + (final === MISSING ? 0 : 1);
    this.at(ident);
    const fixed = fn.params.length;
    if (fn.variadic ? count < fixed : count !== fixed) {
      this.fail(`wrong number of args for ${name}: want ${fn.variadic ? 'at least ' : ''}${fixed} got ${count}`);
    }
    const paramOf = (i: number): ParamType => (i < fixed ? fn.params[i]! : fn.variadic!);
    if (name === 'and' || name === 'or') {
      // Evaluated left to right, stopping at the first argument that decides the result.
      let v: unknown;
      for (const a of argNodes) {
        v = this.typedArg(dot, 'value', a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }
    const args: unknown[] = argNodes.map((a, i) => this.typedArg(dot, paramOf(i), a));
    if (final !== MISSING) {
      this.at(cmd ? cmd.args[cmd.args.length - 1]! : ident);
      args.push(this.validate(final, paramOf(args.length)));
    }
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

export { declaredType };

/**
 * The functions a template can call: Go's builtins (and, or, not, len, index, slice, eq, ne, lt, le, gt, ge,
 * print, printf, println, html, js, urlquery) with Go's typing and messages, and docker's additions (json, join,
 * split, title, lower, upper, pad, truncate). A function throws an Error whose message the executor reports as
 * "error calling NAME: …".
 */
import { formatValue, goType, sprint, sprintf, sprintln } from './fmt.js';
import { isPrint } from './quote.js';
import { goTime, timeJson } from './time.js';
import {
  declaredType, elements, floatValue, intValue, isNilContainer, kindOf, mapEntry, Scalar, sortedKeys, stringValue, structField, structType,
  T, typeOf, typed, zeroOf, type Complex, type GoType,
} from './values.js';

/** A parameter's Go type: `any` (interface{}), `value` (reflect.Value: invalid passes through), string, int. */
export type ParamType = 'any' | 'value' | 'string' | 'int';

export interface TemplateFunction {
  params: ParamType[];
  /** The type of the variadic tail, if any. */
  variadic?: ParamType;
  call(...args: unknown[]): unknown;
}

const fn = (params: ParamType[], call: (...args: any[]) => unknown, variadic?: ParamType): TemplateFunction => ({ params, call, ...(variadic ? { variadic } : {}) });

type BasicKind = 'bool' | 'complex' | 'int' | 'float' | 'string' | 'uint' | 'invalid' | 'other';

/** Go's basicKind: anything but booleans, numbers and strings (maps, slices, structs, nil) is of no basic kind. */
function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  if (k === 'bool' || k === 'complex' || k === 'int' || k === 'float' || k === 'string' || k === 'uint') return k;
  return 'invalid';
}

const num = (v: unknown): number => floatValue(v)!;
const cplx = (v: unknown): Complex => (v as Scalar).v as Complex;
const bool = (v: unknown): boolean => (v instanceof Scalar ? v.v : v) as boolean;

function eq(a: unknown, ...others: unknown[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of others) {
    const k2 = basicKind(b);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === 'int' && k2 === 'uint') truth = intValue(a)! >= 0n && intValue(a) === intValue(b);
      else if (k1 === 'uint' && k2 === 'int') truth = intValue(b)! >= 0n && intValue(a) === intValue(b);
      else if (k1 !== 'invalid' && k2 !== 'invalid') throw new Error('incompatible types for comparison');
    } else {
      switch (k1) {
        case 'bool':
          truth = bool(a) === bool(b);
          break;
        case 'complex':
          truth = cplx(a).re === cplx(b).re && cplx(a).im === cplx(b).im;
          break;
        case 'float':
          truth = num(a) === num(b);
          break;
        case 'int':
        case 'uint':
          truth = intValue(a) === intValue(b);
          break;
        case 'string':
          truth = stringValue(a) === stringValue(b);
          break;
        default: {
          const nilA = isNilish(a);
          const nilB = isNilish(b);
          if (!nilA && !nilB && goType(a) !== goType(b)) throw new Error(`non-comparable types ${formatValue(a)}: ${goType(a)}, ${goType(b)}: ${formatValue(b)}`);
          if (nilA || nilB) truth = nilA === nilB;
          else throw new Error(`non-comparable type ${formatValue(b)}: ${goType(b)}`);
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function isNilish(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (v instanceof Scalar) return v.v === null;
  return typeof v === 'object' && isNilContainer(v);
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'invalid' || k2 === 'invalid') throw new Error('invalid type for comparison');
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return intValue(a)! < 0n || intValue(a)! < intValue(b)!;
    if (k1 === 'uint' && k2 === 'int') return intValue(b)! >= 0n && intValue(a)! < intValue(b)!;
    throw new Error('incompatible types for comparison');
  }
  switch (k1) {
    case 'bool':
    case 'complex':
      throw new Error('invalid type for comparison');
    case 'float':
      return num(a) < num(b);
    case 'string':
      return Buffer.compare(Buffer.from(stringValue(a)!), Buffer.from(stringValue(b)!)) < 0;
    default:
      return intValue(a)! < intValue(b)!;
  }
}

function length(v: unknown): number {
  if (v === undefined) throw new Error('len of nil pointer');
  const s = stringValue(v);
  if (s !== undefined) return Buffer.byteLength(s);
  const k = kindOf(v);
  if (k === 'slice' || k === 'array') return (v as unknown[]).length;
  if (k === 'map') return Object.keys(v as object).length;
  if (v instanceof Scalar && v.v === null) throw new Error('len of nil pointer');
  throw new Error(`len of type ${goType(v)}`);
}

/** Go's indexArg: an integer index within `cap`. */
function indexArg(index: unknown, cap: number): number {
  if (index === undefined || index === null) throw new Error('cannot index slice/array with nil');
  const x = intValue(index);
  if (x === undefined) throw new Error(`cannot index slice/array with type ${goType(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

function index(item: unknown, ...keys: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('index of untyped nil');
  for (const key of keys) {
    if (item instanceof Scalar && item.v === null) throw new Error('index of nil pointer');
    const s = stringValue(item);
    const k = kindOf(item);
    if (s !== undefined) {
      const bytes = Buffer.from(s);
      const x = indexArg(key, bytes.length);
      if (x === bytes.length) throw new Error(`index out of range: ${x}`);
      item = new Scalar(T.uint8, BigInt(bytes[x]!));
    } else if (k === 'slice' || k === 'array') {
      const list = elements(item as unknown[]);
      const x = indexArg(key, list.length);
      if (x === list.length) throw new Error(`index out of range: ${x}`);
      item = list[x];
    } else if (k === 'map') {
      const t = typeOf(item)!;
      const keyType = t.key ?? T.string;
      const name = mapKey(key, keyType);
      const v = mapEntry(item as object, name);
      item = v === undefined ? zeroOf(t.elem ?? T.any) : v;
    } else {
      throw new Error(`can't index item of type ${goType(item)}`);
    }
  }
  return item;
}

/** Go's prepareArg for a map key: nil is no key, ints convert between int types, else the types must match. */
function mapKey(key: unknown, keyType: GoType): string {
  if (key === undefined || key === null) {
    if (keyType.kind !== 'interface') throw new Error(`value is nil; should be of type ${keyType.name}`);
    return 'null';
  }
  const kt = typeOf(key)!;
  const intLike = (k: string) => k === 'int' || k === 'uint';
  if (keyType.kind === 'interface') return stringValue(key) ?? formatValue(key);
  if (intLike(kt.kind) && intLike(keyType.kind)) return String(intValue(key));
  if (kt.name !== keyType.name) throw new Error(`value has type ${kt.name}; should be ${keyType.name}`);
  return stringValue(key) ?? formatValue(key);
}

function slice(item: unknown, ...bounds: unknown[]): unknown {
  if (item === undefined || item === null) throw new Error('slice of untyped nil');
  if (bounds.length > 3) throw new Error(`too many slice indexes: ${bounds.length}`);
  const s = stringValue(item);
  const k = kindOf(item);
  let len: number;
  if (s !== undefined) {
    if (bounds.length === 3) throw new Error('cannot 3-index slice a string');
    len = Buffer.byteLength(s);
  } else if (k === 'slice' || k === 'array') len = (item as unknown[]).length;
  else throw new Error(`can't slice item of type ${goType(item)}`);
  const idx = [0, len, len];
  bounds.forEach((b, i) => {
    idx[i] = indexArg(b, len);
  });
  if (idx[0]! > idx[1]!) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (bounds.length === 3 && idx[1]! > idx[2]!) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (s !== undefined) {
    const out = Buffer.from(s).subarray(idx[0], idx[1]).toString('utf8');
    return item instanceof Scalar ? new Scalar(item.type, out) : out;
  }
  const t = typeOf(item)!;
  const type = t.kind === 'array' ? { name: `[]${t.elem!.name}`, kind: 'slice' as const, elem: t.elem! } : t;
  return typed((item as unknown[]).slice(idx[0], idx[1]), declaredType(item as object) ? type : t);
}

/**
 * The text of html/js/urlquery's arguments (Go's evalArgs): one string as it is, anything else as fmt.Sprint prints
 * it after printableValue — a nil interface is `<no value>`, a pointer to a struct prints the struct.
 */
function text(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' };

/** template.HTMLEscapeString. */
export function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => HTML[c]!);
}

const JS: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' };

/** template.JSEscapeString: quotes and HTML characters escaped, control and unprintable characters as \uXXXX. */
export function jsEscape(s: string): string {
  let out = '';
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (JS[c]) out += JS[c];
    else if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp < 0x80 || isPrint(cp)) out += c;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** encoding/json's string encoding without HTML escaping (as docker's json function sets it). */
function jsonString(s: string): string {
  return JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** encoding/json.Marshal of a Go-typed value: structs' fields in order, maps sorted, nil slices and maps null. */
export function toJson(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  const t = typeOf(v)!;
  if (v instanceof Scalar) {
    if (v.v === null) return 'null';
    if (t.kind === 'time') {
      const time = goTime(v.v as string | Date);
      return time ? jsonString(timeJson(time)) : 'null';
    }
    if (t.kind === 'string') return jsonString(v.v as string);
    if (t.kind === 'complex') throw new Error('json: unsupported type: complex128');
    return String(v.v);
  }
  switch (typeof v) {
    case 'string':
      return jsonString(v);
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return String(v);
    default:
      break;
  }
  if (structType(v as object)) {
    const st = structType(v as object)!;
    return `{${st.fields!.map(([name]) => `${jsonString(name)}:${toJson(structField(v as object, name).value)}`).join(',')}}`;
  }
  if (Array.isArray(v)) {
    if (isNilContainer(v)) return 'null';
    return `[${elements(v).map(toJson).join(',')}]`;
  }
  if (isNilContainer(v as object) && declaredType(v as object)) return 'null';
  return `{${sortedKeys(v as object).map((k) => `${jsonString(k)}:${toJson(mapEntry(v as object, k))}`).join(',')}}`;
}

function strings(v: unknown): string[] {
  const k = kindOf(v);
  if (k !== 'slice' && k !== 'array') throw new Error(`wrong type for value; expected []string; got ${goType(v)}`);
  return elements(v as unknown[]).map((e) => stringValue(e) ?? formatValue(e));
}

const truth = (v: unknown): boolean => {
  const k = kindOf(v);
  if (k === 'invalid' || k === 'nil') return false;
  if (k === 'struct') return true;
  if (k === 'slice' || k === 'array') return (v as unknown[]).length > 0;
  if (k === 'map') return Object.keys(v as object).length > 0;
  if (k === 'string') return stringValue(v)!.length > 0;
  if (k === 'bool') return bool(v);
  if (k === 'int' || k === 'uint') return intValue(v) !== 0n;
  if (k === 'float') return num(v) !== 0;
  if (k === 'complex') return cplx(v).re !== 0 || cplx(v).im !== 0;
  return !(v instanceof Scalar && v.v === null);
};

export const BUILTINS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  // and/or are evaluated lazily by the executor.
  ['and', fn(['value'], () => undefined, 'value')],
  ['or', fn(['value'], () => undefined, 'value')],
  ['not', fn(['value'], (a: unknown) => !truth(a))],
  ['len', fn(['value'], length)],
  ['index', fn(['value'], index, 'value')],
  ['slice', fn(['value'], slice, 'value')],
  ['eq', fn(['value'], eq, 'value')],
  ['ne', fn(['value', 'value'], (a: unknown, b: unknown) => !eq(a, b))],
  ['lt', fn(['value', 'value'], lt)],
  ['le', fn(['value', 'value'], (a: unknown, b: unknown) => lt(a, b) || eq(a, b))],
  ['gt', fn(['value', 'value'], (a: unknown, b: unknown) => !(lt(a, b) || eq(a, b)))],
  ['ge', fn(['value', 'value'], (a: unknown, b: unknown) => !lt(a, b))],
  ['print', fn([], (...args: unknown[]) => sprint(args), 'any')],
  ['printf', fn(['string'], (format: string, ...args: unknown[]) => sprintf(format, args), 'any')],
  ['println', fn([], (...args: unknown[]) => sprintln(args), 'any')],
  ['html', fn([], (...args: unknown[]) => htmlEscape(text(args)), 'any')],
  ['js', fn([], (...args: unknown[]) => jsEscape(text(args)), 'any')],
  ['urlquery', fn([], (...args: unknown[]) => queryEscape(text(args)), 'any')],
  ['json', fn(['any'], toJson)],
  ['join', fn(['any', 'string'], (list: unknown, sep: string) => strings(list).join(sep))],
  ['split', fn(['string', 'string'], (s: string, sep: string) => typed(sep === '' ? [...s] : s.split(sep), { name: '[]string', kind: 'slice', elem: T.string }))],
  ['title', fn(['string'], (s: string) => s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()))],
  ['lower', fn(['string'], (s: string) => s.toLowerCase())],
  ['upper', fn(['string'], (s: string) => s.toUpperCase())],
  ['pad', fn(['string', 'int', 'int'], (s: string, before: number, after: number) => ' '.repeat(Math.max(0, Math.min(before, 1e6))) + s + ' '.repeat(Math.max(0, Math.min(after, 1e6))))],
  ['truncate', fn(['string', 'int'], (s: string, n: number) => {
    const chars = [...s];
    return chars.length <= n ? s : chars.slice(0, Math.max(0, n)).join('');
  })],
]);

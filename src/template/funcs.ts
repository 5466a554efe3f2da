/**
 * The functions a template can call: Go's builtins (and, or, not, len, index, slice, eq, ne, lt, le, gt, ge,
 * print, printf, println, html, js, urlquery) and docker's additions (json, join, split, title, lower, upper,
 * pad, truncate). A function throws an Error whose message the executor reports as "error calling NAME: …".
 */
import { formatValue, goType, sprint, sprintf, sprintln } from './fmt.js';
import { isNil, isRecord, isTrue } from './values.js';

export interface TemplateFunction {
  /** Fewest arguments; `max` undefined means variadic. */
  min: number;
  max?: number;
  call(...args: unknown[]): unknown;
}

const fixed = (n: number, call: (...args: any[]) => unknown): TemplateFunction => ({ min: n, max: n, call });
const variadic = (min: number, call: (...args: any[]) => unknown): TemplateFunction => ({ min, call });

function str(v: unknown): string {
  if (typeof v !== 'string') throw new Error(`wrong type for value; expected string; got ${goType(v)}`);
  return v;
}

function int(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`wrong type for value; expected int; got ${goType(v)}`);
  return v;
}

/** The text of html/js/urlquery's arguments: one string as it is, anything else as fmt.Sprint prints it. */
const text = (args: unknown[]) => (args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args));

type Kind = 'nil' | 'bool' | 'number' | 'string' | 'other';
const kind = (v: unknown): Kind =>
  isNil(v) ? 'nil' : typeof v === 'boolean' ? 'bool' : typeof v === 'number' ? 'number' : typeof v === 'string' ? 'string' : 'other';

function eq(a: unknown, ...others: unknown[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison');
  for (const b of others) {
    const ka = kind(a);
    const kb = kind(b);
    if (ka !== kb) {
      if (ka !== 'nil' && kb !== 'nil') throw new Error('incompatible types for comparison');
      continue;
    }
    if (ka === 'other') throw new Error(`non-comparable type ${formatValue(a)}: ${goType(a)}`);
    if (a === b || ka === 'nil') return true;
  }
  return false;
}

function less(a: unknown, b: unknown): boolean {
  const ka = kind(a);
  if (ka !== 'number' && ka !== 'string') throw new Error('invalid type for comparison');
  if (ka !== kind(b)) throw new Error('incompatible types for comparison');
  return (a as number | string) < (b as number | string);
}

function length(v: unknown): number {
  if (isNil(v)) throw new Error('len of nil pointer');
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (typeof v === 'object' && !isRecord(v)) return Object.keys(v).length;
  throw new Error(`len of type ${goType(v)}`);
}

function index(item: unknown, ...keys: unknown[]): unknown {
  if (isNil(item)) throw new Error('index of untyped nil');
  for (const key of keys) {
    if (typeof item === 'string' || Array.isArray(item)) {
      if (typeof key !== 'number' || !Number.isInteger(key)) throw new Error(`cannot index slice/array with ${isNil(key) ? 'nil' : `type ${goType(key)}`}`);
      if (key < 0 || key >= item.length) throw new Error(`index out of range: ${key}`);
      item = typeof item === 'string' ? Buffer.from(item)[key] : item[key];
    } else if (typeof item === 'object' && item !== null && !isRecord(item)) {
      if (typeof key !== 'string') throw new Error(`value has type ${goType(key)}; should be string`);
      item = Object.hasOwn(item, key) ? (item as Record<string, unknown>)[key] : undefined;
    } else {
      throw new Error(`can't index item of type ${goType(item)}`);
    }
  }
  return item;
}

function slice(item: unknown, ...bounds: unknown[]): unknown {
  if (isNil(item)) throw new Error('slice of untyped nil');
  if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${goType(item)}`);
  if (bounds.length > (typeof item === 'string' ? 2 : 3)) throw new Error(`too many slice indexes: ${bounds.length}`);
  const idx = bounds.map(int);
  for (const i of idx) if (i < 0 || i > item.length) throw new Error(`index out of range: ${i}`);
  const [from = 0, to = item.length] = idx;
  if (from > to) throw new Error(`invalid slice index: ${from} > ${to}`);
  return item.slice(from, to);
}

const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' };
const JS: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** docker's json: compact, HTML characters unescaped. */
function json(v: unknown): string {
  return JSON.stringify(v === undefined ? null : v) ?? 'null';
}

export const BUILTINS: ReadonlyMap<string, TemplateFunction> = new Map<string, TemplateFunction>([
  // and/or are evaluated lazily by the executor; these are their results once every argument is known.
  ['and', variadic(1, (...args: unknown[]) => args.find((a) => !isTrue(a)) ?? args[args.length - 1])],
  ['or', variadic(1, (...args: unknown[]) => args.find((a) => isTrue(a)) ?? args[args.length - 1])],
  ['not', fixed(1, (a: unknown) => !isTrue(a))],
  ['len', fixed(1, length)],
  ['index', variadic(1, index)],
  ['slice', variadic(1, slice)],
  ['eq', variadic(1, eq)],
  ['ne', fixed(2, (a: unknown, b: unknown) => !eq(a, b))],
  ['lt', fixed(2, less)],
  ['le', fixed(2, (a: unknown, b: unknown) => less(a, b) || eq(a, b))],
  ['gt', fixed(2, (a: unknown, b: unknown) => !less(a, b) && !eq(a, b))],
  ['ge', fixed(2, (a: unknown, b: unknown) => !less(a, b))],
  ['print', variadic(0, (...args: unknown[]) => sprint(args))],
  ['printf', variadic(1, (format: unknown, ...args: unknown[]) => sprintf(str(format), args))],
  ['println', variadic(0, (...args: unknown[]) => sprintln(args))],
  ['html', variadic(0, (...args: unknown[]) => text(args).replace(/[<>&'"\0]/g, (c) => HTML[c]!))],
  ['js', variadic(0, (...args: unknown[]) => text(args).replace(/[\\'"<>&=\n\r\t]/g, (c) => JS[c]!))],
  ['urlquery', variadic(0, (...args: unknown[]) => encodeURIComponent(text(args)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))],
  ['json', fixed(1, json)],
  ['join', fixed(2, (list: unknown, sep: unknown) => {
    if (!Array.isArray(list)) throw new Error(`wrong type for value; expected []string; got ${goType(list)}`);
    return list.map((e) => (typeof e === 'string' ? e : formatValue(e))).join(str(sep));
  })],
  ['split', fixed(2, (s: unknown, sep: unknown) => (str(sep) === '' ? [...str(s)] : str(s).split(str(sep))))],
  ['title', fixed(1, (s: unknown) => str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()))],
  ['lower', fixed(1, (s: unknown) => str(s).toLowerCase())],
  ['upper', fixed(1, (s: unknown) => str(s).toUpperCase())],
  ['pad', fixed(3, (s: unknown, before: unknown, after: unknown) => ' '.repeat(Math.max(0, int(before))) + str(s) + ' '.repeat(Math.max(0, int(after))))],
  ['truncate', fixed(2, (s: unknown, n: unknown) => {
    const chars = [...str(s)];
    return chars.length <= int(n) ? str(s) : chars.slice(0, int(n)).join('');
  })],
]);

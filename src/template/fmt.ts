/**
 * Go's fmt as templates use it (print, printf, println and the printing of values): `[a b]` for lists,
 * `map[k:v]` with sorted keys for objects, `{a b}` for records, `<nil>`, Go's verbs with flags, width and
 * precision, and Go's complaints (`%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA int=2)`) in the output.
 */
import { goQuote } from './quote.js';
import { isRecord, recordType } from './values.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
}

const NO_FLAGS: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };

/** The Go type a value stands for, as `%T` and the bad-verb messages name it. */
export function goType(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (isRecord(v)) return recordType(v);
  return 'map[string]interface {}';
}

/** fmt.Sprint of one value (`%v`). */
export function formatValue(v: unknown): string {
  return verb(v, 'v', NO_FLAGS);
}

/** fmt.Sprint: operands separated by a space when neither side is a string. */
export function sprint(args: unknown[]): string {
  return args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatValue(a)).join('');
}

/** fmt.Sprintln: spaces between all operands and a newline. */
export function sprintln(args: unknown[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { ...NO_FLAGS };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = true;
      else break;
    }
    const num = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const a = args[argi++];
        return typeof a === 'number' ? Math.trunc(a) : undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = num();
    if (spec.width !== undefined && spec.width < 0) {
      spec.minus = true;
      spec.width = -spec.width;
    }
    if (format[i] === '.') {
      i++;
      spec.prec = num() ?? 0;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const c = String.fromCodePoint(format.codePointAt(i)!);
    i += c.length;
    if (c === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${c}(MISSING)`;
      continue;
    }
    const a = args[argi++];
    if (c === 'v') spec.plus = false; // %+v adds field names in Go, not signs
    out += c === 'T' ? pad(goType(a), spec) : verb(a, c, spec);
  }
  if (argi < args.length) out += `%!(EXTRA ${args.slice(argi).map((a) => `${goType(a)}=${formatValue(a)}`).join(', ')})`;
  return out;
}

function bad(v: unknown, c: string): string {
  return v === null || v === undefined ? `%!${c}(<nil>)` : `%!${c}(${goType(v)}=${formatValue(v)})`;
}

function pad(s: string, spec: Spec, numeric = false): string {
  const w = spec.width ?? 0;
  const len = [...s].length;
  if (len >= w) return s;
  if (spec.minus) return s + ' '.repeat(w - len);
  if (spec.zero) {
    const sign = numeric && /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(w - len) + s.slice(sign.length);
  }
  return ' '.repeat(w - len) + s;
}

/** One operand under one verb; lists, maps and records apply the verb to each element, as Go does. */
function verb(v: unknown, c: string, spec: Spec): string {
  if (v === null || v === undefined) return c === 'v' ? pad('<nil>', spec) : bad(v, c);
  if (Array.isArray(v)) return `[${v.map((e) => verb(e, c, spec)).join(' ')}]`;
  if (typeof v === 'object') {
    if (isRecord(v)) return `{${Object.values(v).map((e) => verb(e, c, spec)).join(' ')}}`;
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${verb(k, c, spec)}:${verb((v as Record<string, unknown>)[k], c, spec)}`).join(' ')}]`;
  }
  if (typeof v === 'string') return stringVerb(v, c, spec);
  if (typeof v === 'boolean') return c === 'v' || c === 't' ? pad(String(v), spec) : bad(v, c);
  if (typeof v === 'number') return Number.isInteger(v) && !/[eEfFgG]/.test(c) ? intVerb(v, c, spec) : floatVerb(v, c, spec);
  return pad(String(v), spec);
}

function stringVerb(v: string, c: string, spec: Spec): string {
  const s = spec.prec === undefined ? v : [...v].slice(0, spec.prec).join('');
  switch (c) {
    case 'v':
      return pad(spec.sharp ? goQuote(s) : s, spec);
    case 's':
      return pad(s, spec);
    case 'q':
      return pad(spec.sharp && !s.includes('`') ? `\`${s}\`` : goQuote(s), spec);
    case 'x':
    case 'X': {
      const bytes = [...Buffer.from(s, 'utf8')].map((b) => b.toString(16).padStart(2, '0'));
      const hex = bytes.join(spec.space ? ' ' : '');
      return pad(c === 'X' ? hex.toUpperCase() : hex, spec);
    }
    default:
      return bad(v, c);
  }
}

function intVerb(v: number, c: string, spec: Spec): string {
  const sign = v < 0 ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  const abs = Math.abs(v);
  let digits: string;
  switch (c) {
    case 'v':
    case 'd':
      digits = String(abs);
      break;
    case 'b':
      digits = abs.toString(2);
      break;
    case 'o':
    case 'O':
      digits = abs.toString(8);
      break;
    case 'x':
      digits = abs.toString(16);
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      break;
    case 'c':
      return pad(String.fromCodePoint(abs), spec);
    case 'q':
      return pad(goQuote(String.fromCodePoint(abs), "'"), spec);
    case 'U':
      return pad(`U+${abs.toString(16).toUpperCase().padStart(4, '0')}`, spec);
    default:
      return bad(v, c);
  }
  if (spec.prec !== undefined) digits = digits.padStart(spec.prec, '0');
  const prefix = c === 'O' ? '0o' : !spec.sharp ? '' : c === 'o' ? '0' : c === 'x' || c === 'X' ? `0${c}` : c === 'b' ? '0b' : '';
  return pad(sign + prefix + digits, spec, true);
}

function floatVerb(v: number, c: string, spec: Spec): string {
  if (!Number.isFinite(v)) return pad(Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf', spec);
  const sign = v < 0 || Object.is(v, -0) ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  const abs = Math.abs(v);
  let s: string;
  switch (c) {
    case 'v':
    case 'g':
    case 'G':
      s = spec.prec === undefined ? shortest(abs) : precise(abs, Math.max(spec.prec, 1));
      if (c === 'G') s = s.toUpperCase();
      break;
    case 'e':
    case 'E':
      s = goExponent(abs.toExponential(spec.prec ?? 6));
      if (c === 'E') s = s.toUpperCase();
      break;
    case 'f':
    case 'F':
      s = abs.toFixed(spec.prec ?? 6);
      break;
    default:
      return bad(v, c);
  }
  return pad(sign + s, spec, true);
}

/** `1.5e+3` → `1.5e+03`: Go writes at least two exponent digits. */
const goExponent = (s: string) => s.replace(/e([+-])(\d)$/, 'e$10$2');

/** strconv.FormatFloat(v, 'g', -1, 64): the shortest digits, in exponent form below 1e-4 and from 1e6. */
function shortest(abs: number): string {
  const exp = abs === 0 ? 0 : Number(abs.toExponential().split('e')[1]);
  if (exp < -4 || exp >= 6) return goExponent(abs.toExponential());
  return String(abs);
}

/** %.Ng: N significant digits, trailing zeros dropped. */
function precise(abs: number, prec: number): string {
  const s = abs.toPrecision(prec);
  const [mant, e] = s.split('e');
  const trimmed = mant!.includes('.') ? mant!.replace(/\.?0+$/, '') : mant!;
  return e === undefined ? trimmed : goExponent(`${trimmed}e${e}`);
}

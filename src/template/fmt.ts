/**
 * Go's fmt as templates use it (print, printf, println, and the printing of values): Go's verbs, flags, width,
 * precision and explicit argument indexes (`%[2]s`), `[a b]` for slices, `map[k:v]` with sorted keys, `{a b}` for
 * structs, `%#v` in Go syntax with Go's type names, and Go's complaints in the output (`%!d(string=x)`,
 * `%!d(MISSING)`, `%!(EXTRA int=2)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!v(BADINDEX)`, `%!(NOVERB)`).
 */
import { formatFloat } from './ftoa.js';
import { goQuote, isPrint } from './quote.js';
import { formatTime, goTime } from './time.js';
import {
  declaredType, elements, isNilContainer, keyValue, mapEntry, Scalar, sortedKeys, structField, structType, T, typed, typeOf,
  type Complex, type GoType,
} from './values.js';

interface Flags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid?: number;
  prec?: number;
}

const clear = (): Flags => ({ minus: false, plus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false });

/** The Go type name of a value, as `%T` prints it (`<nil>` for nil). */
export function goType(v: unknown): string {
  const t = typeOf(v);
  return t ? t.name : '<nil>';
}

/** fmt.Sprint of one value (`%v`). */
export function formatValue(v: unknown): string {
  const p = new Printer();
  p.printArg(v, 'v');
  return p.out;
}

/** What an action prints (Go's printableValue then fmt.Fprint): a pointer to a struct prints as the struct. */
export function formatAction(v: unknown): string {
  const t = typeOf(v);
  if (t?.kind === 'ptr' && !(v instanceof Scalar) && t.elem?.kind === 'struct') {
    const p = new Printer();
    p.printArg(typed(Object.assign(Object.create(null), v), t.elem), 'v');
    return p.out;
  }
  return formatValue(v);
}

/** fmt.Sprint: operands separated by a space when neither side is a string. */
export function sprint(args: unknown[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeOf(a)?.kind === 'string';
    if (i > 0 && !isString && !prevString) p.out += ' ';
    p.f = clear();
    p.printArg(a, 'v');
    prevString = isString;
  });
  return p.out;
}

/** fmt.Sprintln: spaces between all operands and a newline. */
export function sprintln(args: unknown[]): string {
  const p = new Printer();
  args.forEach((a, i) => {
    if (i > 0) p.out += ' ';
    p.f = clear();
    p.printArg(a, 'v');
  });
  return `${p.out}\n`;
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: unknown[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.out;
}

const TOO_LARGE = 1e6;

/** Go's parsenum: digits from `start`; a number over a million is no number. */
function parsenum(s: string, start: number): { num: number; ok: boolean; i: number } {
  let num = 0;
  let ok = false;
  let i = start;
  for (; i < s.length && s[i]! >= '0' && s[i]! <= '9'; i++) {
    if (num > TOO_LARGE) return { num: 0, ok: false, i: s.length };
    num = num * 10 + Number(s[i]);
    ok = true;
  }
  return { num, ok, i };
}

class Printer {
  out = '';
  f: Flags = clear();
  private goodArgNum = true;
  private reordered = false;
  private erroring = false;

  doPrintf(format: string, a: unknown[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    let i = 0;
    formatLoop: while (i < end) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.out += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.f = clear();
      simple: for (; i < end; i++) {
        const c = format[i]!;
        switch (c) {
          case '#':
            this.f.sharp = true;
            break;
          case '0':
            this.f.zero = !this.f.minus;
            break;
          case '+':
            this.f.plus = true;
            break;
          case '-':
            this.f.minus = true;
            this.f.zero = false;
            break;
          case ' ':
            this.f.space = true;
            break;
          default:
            if (c >= 'a' && c <= 'z' && argNum < a.length) {
              if (c === 'v') this.vFlags();
              this.printArg(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simple;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i < end && format[i] === '*') {
        i++;
        let ok: boolean;
        [this.f.wid, ok, argNum] = intFromArg(a, argNum);
        if (!ok) {
          this.out += '%!(BADWIDTH)';
          this.f.wid = undefined;
        }
        if (this.f.wid !== undefined && this.f.wid < 0) {
          this.f.wid = -this.f.wid;
          this.f.minus = true;
          this.f.zero = false;
        }
        afterIndex = false;
      } else {
        const n = parsenum(format, i);
        this.f.wid = n.ok ? n.num : undefined;
        i = n.i;
        if (afterIndex && n.ok) this.goodArgNum = false;
      }
      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === '*') {
          i++;
          let ok: boolean;
          [this.f.prec, ok, argNum] = intFromArg(a, argNum);
          if (this.f.prec !== undefined && this.f.prec < 0) ok = false;
          if (!ok) {
            this.f.prec = undefined;
            this.out += '%!(BADPREC)';
          }
          afterIndex = false;
        } else {
          const n = parsenum(format, i);
          this.f.prec = n.ok ? n.num : 0;
          i = n.i;
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) {
        this.out += '%!(NOVERB)';
        break;
      }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;
      if (verb === '%') this.out += '%';
      else if (!this.goodArgNum) this.out += `%!${verb}(BADINDEX)`;
      else if (argNum >= a.length) this.out += `%!${verb}(MISSING)`;
      else {
        if (verb === 'v') this.vFlags();
        this.printArg(a[argNum], verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < a.length) {
      this.f = clear();
      this.out += '%!(EXTRA ';
      a.slice(argNum).forEach((arg, k) => {
        if (k > 0) this.out += ', ';
        if (arg === null || arg === undefined) this.out += '<nil>';
        else {
          this.out += `${goType(arg)}=`;
          this.printArg(arg, 'v');
        }
      });
      this.out += ')';
    }
  }

  private vFlags(): void {
    this.f.sharpV = this.f.sharp;
    this.f.sharp = false;
    this.f.plusV = this.f.plus;
    this.f.plus = false;
  }

  private argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    const rest = format.slice(i);
    let index = 0;
    let wid = 1;
    let ok = false;
    if (rest.length >= 3) {
      const close = rest.indexOf(']', 1);
      if (close > 0) {
        const n = parsenum(rest, 1);
        if (n.ok && n.i === close) {
          index = n.num - 1;
          ok = true;
        }
        wid = close + 1;
      }
    }
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  // Padding.

  private pad(s: string): void {
    const w = this.f.wid;
    if (w === undefined || w === 0) {
      this.out += s;
      return;
    }
    const width = w - [...s].length;
    if (width <= 0) this.out += s;
    else if (this.f.minus) this.out += s + ' '.repeat(width);
    else this.out += (this.f.zero ? '0' : ' ').repeat(width) + s;
  }

  private padding(n: number): string {
    return n > 0 ? (this.f.zero ? '0' : ' ').repeat(n) : '';
  }

  private badVerb(verb: string, v: unknown): void {
    this.erroring = true;
    this.out += `%!${verb}(`;
    if (v === null || v === undefined) this.out += '<nil>';
    else {
      this.out += `${goType(v)}=`;
      this.printArg(v, 'v');
    }
    this.out += ')';
    this.erroring = false;
  }

  printArg(arg: unknown, verb: string): void {
    if (arg === null || arg === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === 'T') {
      this.fmtS(goType(arg));
      return;
    }
    this.printValue(arg, verb, 0);
  }

  private printValue(v: unknown, verb: string, depth: number): void {
    const t = typeOf(v);
    if (t === undefined) {
      this.out += depth === 0 ? '<invalid reflect.Value>' : '<nil>';
      return;
    }
    if (t === null) {
      // A nil interface inside a container.
      this.out += this.f.sharpV ? 'interface {}(nil)' : '<nil>';
      return;
    }
    switch (t.kind) {
      case 'bool':
        if (verb === 't' || verb === 'v') this.pad(String(v instanceof Scalar ? v.v : v));
        else this.badVerb(verb, v);
        return;
      case 'int':
      case 'uint': {
        const n = v instanceof Scalar ? (v.v as bigint) : BigInt(v as number | bigint);
        this.fmtIntegerVerb(n, t.kind === 'int', verb, v);
        return;
      }
      case 'float':
        this.fmtFloatVerb(v instanceof Scalar ? (v.v as number) : (v as number), t.bits === 32 ? 32 : 64, verb, v);
        return;
      case 'complex':
        this.fmtComplex((v as Scalar).v as Complex, t.bits === 64 ? 32 : 64, verb, v);
        return;
      case 'string':
        this.fmtString(v instanceof Scalar ? (v.v as string) : (v as string), verb, v);
        return;
      case 'time':
        this.fmtTime(v as Scalar, verb);
        return;
      case 'ptr':
        if (v instanceof Scalar) {
          if (this.f.sharpV) this.out += `(${t.name})(nil)`;
          else if (verb === 'v' || verb === 's') this.pad('<nil>');
          else this.badVerb(verb, v);
          return;
        }
        if (depth > 0) {
          this.out += '0xc000010000';
          return;
        }
        this.out += '&';
        this.printStruct(v as object, t.elem!, verb, depth + 1);
        return;
      case 'struct':
        this.printStruct(v as object, t, verb, depth);
        return;
      case 'map':
        this.printMap(v as object, t, verb, depth);
        return;
      case 'slice':
      case 'array':
        this.printList(v as unknown[], t, verb, depth);
        return;
      case 'interface':
        this.out += String(v);
    }
  }

  private printStruct(v: object, t: GoType, verb: string, depth: number): void {
    if (this.f.sharpV) this.out += t.name;
    this.out += '{';
    const st = structType(v) ?? t;
    st.fields!.forEach(([name], i) => {
      if (i > 0) this.out += this.f.sharpV ? ', ' : ' ';
      if (this.f.plusV || this.f.sharpV) this.out += `${name}:`;
      this.printValue(structField(v, name).value, verb, depth + 1);
    });
    this.out += '}';
  }

  private printMap(v: object, t: GoType, verb: string, depth: number): void {
    if (this.f.sharpV) {
      this.out += t.name;
      if (isNilContainer(v)) {
        this.out += '(nil)';
        return;
      }
      this.out += '{';
    } else this.out += 'map[';
    sortedKeys(v).forEach((k, i) => {
      if (i > 0) this.out += this.f.sharpV ? ', ' : ' ';
      this.printValue(keyValue(v, k), verb, depth + 1);
      this.out += ':';
      const e = mapEntry(v, k);
      this.printValue(e === null && t.elem?.kind === 'interface' ? null : e, verb, depth + 1);
    });
    this.out += this.f.sharpV ? '}' : ']';
  }

  private printList(v: unknown[], t: GoType, verb: string, depth: number): void {
    const elems = elements(v);
    if ('sqxX'.includes(verb) && t.elem?.kind === 'uint' && t.elem.bits === 8) {
      this.fmtString(Buffer.from(elems.map((e) => Number((e as Scalar).v))).toString('latin1'), verb, v);
      return;
    }
    if (this.f.sharpV) {
      this.out += t.name;
      if (t.kind === 'slice' && isNilContainer(v)) {
        this.out += '(nil)';
        return;
      }
      this.out += '{';
      elems.forEach((e, i) => {
        if (i > 0) this.out += ', ';
        this.printValue(e, verb, depth + 1);
      });
      this.out += '}';
      return;
    }
    this.out += '[';
    elems.forEach((e, i) => {
      if (i > 0) this.out += ' ';
      this.printValue(e, verb, depth + 1);
    });
    this.out += ']';
  }

  private fmtTime(v: Scalar, verb: string): void {
    const time = goTime(v.v as string | Date | null);
    if (this.f.sharpV) {
      // GoString(); on a nil pointer it panics and fmt prints <nil>.
      this.out += time ? time.goString() : '<nil>';
      return;
    }
    if (!this.erroring && 'vsxXq'.includes(verb)) {
      if (!time) this.out += '<nil>';
      else this.fmtString(formatTime(time), verb, v);
      return;
    }
    if (time && 'dboOxXcqU'.includes(verb) && !this.erroring) {
      // Other verbs print the pointer's struct: time.Time{wall, ext, loc} (a UTC time's loc is nil).
      const p = time.internals();
      this.out += '&{';
      this.fmtIntegerVerb(p.wall, false, verb, v);
      this.out += ' ';
      this.fmtIntegerVerb(p.ext, true, verb, v);
      this.out += ' ';
      this.fmtIntegerVerb(0n, false, verb, v);
      this.out += '}';
      return;
    }
    this.out += `%!${verb}(${v.type.name}=${time ? formatTime(time) : '<nil>'})`;
  }

  // Integers.

  private fmtIntegerVerb(n: bigint, signed: boolean, verb: string, v: unknown): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV && !signed) {
          this.f.sharp = true;
          this.fmtInteger(n, 16, signed, 'v', '0123456789abcdefx');
        } else this.fmtInteger(n, 10, signed, verb, '0123456789abcdefx');
        return;
      case 'd':
        return this.fmtInteger(n, 10, signed, verb, '0123456789abcdefx');
      case 'b':
        return this.fmtInteger(n, 2, signed, verb, '0123456789abcdefx');
      case 'o':
      case 'O':
        return this.fmtInteger(n, 8, signed, verb, '0123456789abcdefx');
      case 'x':
        return this.fmtInteger(n, 16, signed, verb, '0123456789abcdefx');
      case 'X':
        return this.fmtInteger(n, 16, signed, verb, '0123456789ABCDEFX');
      case 'c':
        return this.pad(runeString(n));
      case 'q':
        return this.pad(goQuote(runeString(n), "'", this.f.plus));
      case 'U':
        return this.fmtUnicode(n);
      default:
        this.badVerb(verb, v);
    }
  }

  private fmtInteger(u: bigint, base: number, signed: boolean, verb: string, digits: string): void {
    const negative = signed && u < 0n;
    if (negative) u = -u;
    const f = this.f;
    let prec = 0;
    if (f.prec !== undefined) {
      prec = f.prec;
      if (prec === 0 && u === 0n) {
        const old = f.zero;
        f.zero = false;
        this.out += this.padding(f.wid ?? 0);
        f.zero = old;
        return;
      }
    } else if (f.zero && !f.minus && f.wid !== undefined) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let s = u.toString(base);
    if (digits[10] === 'A') s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (f.sharp) {
      if (base === 2) s = `0b${s}`;
      else if (base === 8 && s[0] !== '0') s = `0${s}`;
      else if (base === 16) s = `0${digits[16]}${s}`;
    }
    if (verb === 'O') s = `0o${s}`;
    if (negative) s = `-${s}`;
    else if (f.plus) s = `+${s}`;
    else if (f.space) s = ` ${s}`;
    const old = f.zero;
    f.zero = false;
    this.pad(s);
    f.zero = old;
  }

  private fmtUnicode(u: bigint): void {
    let s = u.toString(16).toUpperCase();
    const prec = this.f.prec !== undefined && this.f.prec > 4 ? this.f.prec : 4;
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    s = `U+${s}`;
    if (this.f.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += ` '${String.fromCodePoint(Number(u))}'`;
    const old = this.f.zero;
    this.f.zero = false;
    this.pad(s);
    this.f.zero = old;
  }

  // Floats.

  private fmtFloatVerb(x: number, bits: 32 | 64, verb: string, v: unknown): void {
    switch (verb) {
      case 'v':
        return this.fmtFloat(x, bits, 'g', -1);
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        return this.fmtFloat(x, bits, verb, -1);
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        return this.fmtFloat(x, bits, verb === 'F' ? 'f' : verb, 6);
      default:
        this.badVerb(verb, v);
    }
  }

  private fmtFloat(x: number, bits: 32 | 64, verb: string, prec: number): void {
    const f = this.f;
    if (f.prec !== undefined) prec = f.prec;
    let num = formatFloat(x, verb, prec, bits);
    num = num[0] === '-' || num[0] === '+' ? num : `+${num}`;
    if (f.space && num[0] === '+' && !f.plus) num = ` ${num.slice(1)}`;
    if (num[1] === 'I' || num[1] === 'N') {
      const old = f.zero;
      f.zero = false;
      if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
      this.pad(num);
      f.zero = old;
      return;
    }
    if (f.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
    if (f.plus || num[0] !== '+') {
      if (f.zero && f.wid !== undefined && f.wid > num.length) {
        this.out += num[0] + '0'.repeat(f.wid - num.length) + num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  private fmtComplex(c: Complex, bits: 32 | 64, verb: string, v: unknown): void {
    if (!'vbgGxXfFeE'.includes(verb)) {
      this.badVerb(verb, v);
      return;
    }
    const oldPlus = this.f.plus;
    this.out += '(';
    this.fmtFloatVerb(c.re, bits, verb, v);
    this.f.plus = true;
    this.fmtFloatVerb(c.im, bits, verb, v);
    this.out += 'i)';
    this.f.plus = oldPlus;
  }

  // Strings.

  private fmtString(s: string, verb: string, v: unknown): void {
    switch (verb) {
      case 'v':
        if (this.f.sharpV) this.fmtQ(s);
        else this.fmtS(s);
        return;
      case 's':
        return this.fmtS(s);
      case 'x':
        return this.fmtSx(s, '0123456789abcdef', 'x');
      case 'X':
        return this.fmtSx(s, '0123456789ABCDEF', 'X');
      case 'q':
        return this.fmtQ(s);
      default:
        this.badVerb(verb, v);
    }
  }

  private truncate(s: string): string {
    if (this.f.prec === undefined) return s;
    return [...s].slice(0, this.f.prec).join('');
  }

  private fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  private fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) this.pad(`\`${s}\``);
    else this.pad(goQuote(s, '"', this.f.plus));
  }

  private fmtSx(s: string, digits: string, x: string): void {
    let bytes = [...Buffer.from(s, 'utf8')];
    if (this.f.prec !== undefined && this.f.prec < bytes.length) bytes = bytes.slice(0, this.f.prec);
    let out = '';
    if (bytes.length === 0) {
      this.out += this.padding(this.f.wid ?? 0);
      return;
    }
    if (this.f.sharp && !this.f.space) out += `0${x}`;
    bytes.forEach((b, i) => {
      if (this.f.space && i > 0) out += ' ';
      if (this.f.space && this.f.sharp) out += `0${x}`;
      out += digits[b >> 4]! + digits[b & 15]!;
    });
    this.pad(out);
  }
}

/** `%#g`, `%#e`, `%#f`: a decimal point always, and %g keeps its trailing zeros (Go's sharp handling, simplified). */
function sharpFloat(num: string, verb: string, prec: number): string {
  const body = num.slice(1);
  const [mant, exp] = body.split(/(?=[eEpP])/);
  let m = mant!;
  if (!m.includes('.') && !/x/i.test(m)) m += '.';
  if ((verb === 'g' || verb === 'G') && prec !== 0) {
    const want = prec < 0 ? 6 : prec;
    const digits = m.replace(/[^0-9]/g, '').replace(/^0+/, '').length;
    if (digits < want) m += '0'.repeat(want - Math.max(digits, 1));
  }
  return num[0] + m + (exp ?? '');
}

function runeString(n: bigint): string {
  if (n < 0n || n > 0x10ffffn || (n >= 0xd800n && n <= 0xdfffn)) return '\uFFFD';
  return String.fromCodePoint(Number(n));
}

/** strconv.CanBackquote: one line, no backquote, no control characters but tab, valid text. */
function canBackquote(s: string): boolean {
  for (const c of s) {
    const cp = c.codePointAt(0)!;
    if (c === '`' || c === '\uFEFF' || (cp < 0x20 && c !== '\t') || cp === 0x7f || c === '\uFFFD') return false;
  }
  return true;
}

function intFromArg(a: unknown[], argNum: number): [number | undefined, boolean, number] {
  if (argNum >= a.length) return [undefined, false, argNum];
  const v = a[argNum];
  const t = typeOf(v);
  let num: number | undefined;
  let ok = false;
  if (t && (t.kind === 'int' || t.kind === 'uint')) {
    const n = v instanceof Scalar ? (v.v as bigint) : BigInt(v as number | bigint);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) {
      num = Number(n);
      ok = true;
    }
  }
  if (num !== undefined && (num > TOO_LARGE || num < -TOO_LARGE)) {
    num = 0;
    ok = false;
  }
  return [ok ? num : 0, ok, argNum + 1];
}

// Re-exported for the json function: how a struct's fields and a time read as JSON.
export { declaredType, T };

/**
 * Go's strconv.FormatFloat for the formats fmt uses ('e', 'E', 'f', 'g', 'G', 'x', 'X', 'b'): shortest digits that
 * read back to the same float (as JavaScript's own), or digits correctly rounded — half to even — from the exact
 * binary value (JavaScript's toFixed rounds exact halves up: 2.5 → 3 where Go prints 2).
 */

interface Digits {
  /** Decimal digits without leading or trailing zeros ('' for zero). */
  d: string;
  /** Position of the decimal point: the value is 0.d × 10^dp. */
  dp: number;
}

const view = new DataView(new ArrayBuffer(8));

function bitsOf(x: number): { mant: bigint; exp: number } {
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  let exp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { mant, exp: exp - 1023 };
}

/** The exact decimal expansion of a finite non-negative double. */
function exact(x: number): Digits {
  if (x === 0) return { d: '', dp: 0 };
  const { mant, exp } = bitsOf(x);
  const e2 = exp - 52;
  let digits: string;
  let dp: number;
  if (e2 >= 0) {
    digits = (mant << BigInt(e2)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e2)).toString();
    dp = digits.length + e2;
  }
  return trim({ d: digits, dp });
}

function trim(x: Digits): Digits {
  let d = x.d;
  let dp = x.dp;
  let i = 0;
  while (i < d.length && d[i] === '0') i++;
  d = d.slice(i);
  dp -= 0; // leading zeros of an integer string do not occur; kept for clarity
  d = d.replace(/0+$/, '');
  if (d === '') dp = 0;
  return { d, dp };
}

/** Rounds to `nd` significant digits, half to even (the digits are exact, so a tie is a true tie). */
function round(x: Digits, nd: number): Digits {
  if (nd < 0 || nd >= x.d.length) return nd < 0 ? { d: '', dp: x.dp } : x;
  const rest = x.d.slice(nd);
  let up: boolean;
  if (rest[0]! > '5') up = true;
  else if (rest[0]! < '5') up = false;
  else if (rest.length > 1) up = true; // trimmed: anything after the 5 is non-zero
  else up = nd > 0 && (Number(x.d[nd - 1]) % 2 === 1);
  let d = x.d.slice(0, nd);
  let dp = x.dp;
  if (up) {
    const chars = d.split('');
    let i = chars.length - 1;
    while (i >= 0 && chars[i] === '9') chars[i--] = '0';
    if (i < 0) {
      chars.unshift('1');
      chars.pop();
      dp++;
      if (nd === 0) return { d: '1', dp: dp };
    } else chars[i] = String(Number(chars[i]) + 1);
    d = chars.join('');
  }
  return trim({ d, dp });
}

/** The shortest digits that read back to x (JavaScript's, which are Go's), for float64 or float32. */
function shortest(x: number, bits: 32 | 64): Digits {
  if (x === 0) return { d: '', dp: 0 };
  let s: string;
  if (bits === 64) s = x.toExponential();
  else {
    s = x.toExponential(8);
    for (let p = 0; p <= 8; p++) {
      const t = x.toExponential(p);
      if (Math.fround(Number(t)) === x) {
        s = t;
        break;
      }
    }
  }
  const [m, e] = s.split('e');
  return trim({ d: m!.replace('.', ''), dp: Number(e) + 1 });
}

function fmtE(neg: boolean, x: Digits, prec: number, fmt: string): string {
  let out = neg ? '-' : '';
  out += x.d.length === 0 ? '0' : x.d[0];
  if (prec > 0) {
    out += '.';
    let i = 1;
    const m = Math.min(x.d.length, prec + 1);
    if (i < m) {
      out += x.d.slice(i, m);
      i = m;
    }
    out += '0'.repeat(Math.max(0, prec + 1 - i));
  }
  out += fmt;
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}${sign}${exp < 10 ? '0' : ''}${exp}`;
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let out = neg ? '-' : '';
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    out += x.d.slice(0, m) + '0'.repeat(x.dp - m);
  } else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      out += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return out;
}

function fmtX(neg: boolean, v: number, prec: number, fmt: 'x' | 'X', bits: 32 | 64): string {
  let mant: bigint;
  let exp: number;
  if (v === 0) {
    mant = 0n;
    exp = 0;
  } else {
    ({ mant, exp } = bitsOf(v));
    if (bits === 32) {
      // A float32 has 23 fraction bits: the low 29 bits of the float64 form are zero.
      mant >>= 29n;
      mant <<= 29n;
    }
  }
  const ONE = 1n << 60n;
  mant <<= 8n;
  while (mant !== 0n && (mant & ONE) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (mant << shift) & (ONE - 1n);
    mant >>= 60n - shift;
    if ((extra | (mant & 1n)) > 1n << 59n) mant++;
    mant <<= 60n - shift;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hex = fmt === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let out = `${neg ? '-' : ''}0${fmt}${(mant >> 60n) & 1n}`;
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if (prec < 0 && mant !== 0n) {
    out += '.';
    while (mant !== 0n) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      out += hex[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  out += fmt === 'X' ? 'P' : 'p';
  const sign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return `${out}${sign}${exp < 10 ? '0' : ''}${exp}`;
}

/** strconv.FormatFloat(v, fmt, prec, bits); prec -1 is the shortest representation. */
export function formatFloat(v: number, fmt: string, prec: number, bits: 32 | 64 = 64): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const abs = Math.abs(v);
  if (fmt === 'x' || fmt === 'X') return fmtX(neg, abs, prec, fmt, bits);
  if (fmt === 'b') {
    const { mant, exp } = bitsOf(abs);
    return `${neg ? '-' : ''}${abs === 0 ? 0 : mant}p${exp - 52 >= 0 ? '+' : ''}${abs === 0 ? -1074 : exp - 52}`;
  }
  let digs: Digits;
  const isShortest = prec < 0;
  if (isShortest) {
    digs = shortest(abs, bits);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(digs.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(digs.d.length - digs.dp, 0);
    else prec = digs.d.length;
  } else {
    const x = exact(abs);
    if (fmt === 'e' || fmt === 'E') digs = round(x, prec + 1);
    else if (fmt === 'f') digs = round(x, x.dp + prec);
    else {
      if (prec === 0) prec = 1;
      digs = round(x, prec);
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(neg, digs, prec, fmt);
    case 'f':
      return fmtF(neg, digs, prec);
    default: {
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (isShortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digs.d.length) prec = digs.d.length;
        return fmtE(neg, digs, prec - 1, fmt === 'G' ? 'E' : 'e');
      }
      if (prec > digs.dp) prec = digs.d.length;
      return fmtF(neg, digs, Math.max(prec - digs.dp, 0));
    }
  }
}

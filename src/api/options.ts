/**
 * The library's door: every exported operation checks its options here before anything runs. An unknown option name,
 * a value of the wrong type or a `null` is a UsageError naming the option (`err.option`) in the library's terms;
 * nothing is silently ignored and nothing is written. Each check also gives the value the operations take (a platform
 * string becomes a Platform), so one vocabulary holds across every operation:
 *
 * - `platform`: `'linux/arm64'` or `{ os, architecture, variant? }`; where several make sense, an array of those or
 *   `'all'`;
 * - `to`: where the result is written; `now`: the time (a Date or milliseconds); `signal`: cancellation; `dryRun`;
 * - `credentials` (one registry), `sourceCredentials` / `destinationCredentials` (a transfer's two sides).
 */
import { UsageError } from '../errors.js';
import { parsePlatform, type Platform } from '../oci/platform.js';

/** Checks one option's value (never `undefined`: absent options are not checked) and returns what the operation takes. */
export type Check = (value: unknown, name: string) => unknown;

/** The options an operation takes, each with its check. */
export type Schema = Readonly<Record<string, Check>>;

/** A platform as the caller may give it: `'linux/arm64'`, `'linux/arm/v7'`, or an object. */
export type PlatformSpec = string | Platform;

/** Several platforms: one, a list, or `'all'` (every platform an index holds). */
export type PlatformsSpec = PlatformSpec | readonly PlatformSpec[] | 'all';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return `${(value as object).constructor?.name === 'Object' ? 'an object' : `a ${(value as object).constructor?.name ?? 'value'}`}`;
  return `${typeof value === 'function' ? 'a function' : `the ${typeof value} ${String(value)}`}`;
}

/** The UsageError of an option that got a value of another kind. */
export function wrongType(name: string, want: string, value: unknown): UsageError {
  return new UsageError(`option ${name}: want ${want}, got ${describe(value)}`, { option: name });
}

const is = (want: string, test: (v: unknown) => boolean): Check => (v, name) => {
  if (!test(v)) throw wrongType(name, want, v);
  return v;
};

export const string = is('a string', (v) => typeof v === 'string');
export const boolean = is('true or false', (v) => typeof v === 'boolean');
export const number = is('a finite number', (v) => typeof v === 'number' && Number.isFinite(v));
/** A whole number ≥ 0. */
export const count = is('a whole number', (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);
/** A whole number ≥ 1 (jobs, limits). */
export const positive = is('a whole number of at least 1', (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1);
export const func = is('a function', (v) => typeof v === 'function');
export const signal = is('an AbortSignal', (v) => v instanceof AbortSignal);
export const strings = is('an array of strings', (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'));
/** A batch's inputs: an array of strings, or an iterable or async iterable of them (checked as they are read). */
export const batchInputs: Check = (v, name) => {
  if (Array.isArray(v)) return strings(v, name);
  const it = v as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null;
  if (typeof v !== 'object' || !it || (typeof it[Symbol.iterator] !== 'function' && typeof it[Symbol.asyncIterator] !== 'function')) {
    throw wrongType(name, 'an array, iterable or async iterable of strings', v);
  }
  return v;
};
/** `{ key: 'value' }` (labels, annotations). */
export const stringRecord = is('an object of strings', (v) => isPlain(v) && Object.values(v as object).every((s) => typeof s === 'string'));
export const buffer = is('a Buffer or Uint8Array', (v) => v instanceof Uint8Array);

export const oneOf = <T extends string>(...values: T[]): Check =>
  is(values.map((v) => JSON.stringify(v)).join(' or '), (v) => typeof v === 'string' && (values as string[]).includes(v));

/** Tag patterns (`exclude`): one string or RegExp, or a list of them; given as a list. */
export const patternList: Check = (v, name) => {
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((p) => typeof p === 'string' || p instanceof RegExp)) throw wrongType(name, 'a string, a RegExp or an array of them', v);
  return list;
};

/** A string or a RegExp (tag filters). */
export const pattern = is('a string or a RegExp', (v) => typeof v === 'string' || v instanceof RegExp);

/** An object whose own options are checked by `schema` (nested names: `credentials.creds`). */
export function object(schema: Schema): Check {
  return (v, name) => checkOptions(v, schema, `${name}.`);
}

/** `'linux/arm64'` or `{ os, architecture, variant? }`: a Platform. */
export const platform: Check = (v, name) => {
  if (typeof v === 'string') {
    try {
      return parsePlatform(v);
    } catch (err) {
      throw new UsageError(`option ${name}: ${err instanceof Error ? err.message : String(err)}`, { option: name, cause: err });
    }
  }
  if (isPlain(v) && typeof v.os === 'string' && typeof v.architecture === 'string') return v;
  throw wrongType(name, 'a platform ("linux/arm64" or { os, architecture })', v);
};

/** One platform, a list of them, or `'all'`: `'all'` or a Platform[]. */
export const platforms: Check = (v, name) => {
  if (v === 'all') return 'all';
  if (Array.isArray(v)) {
    if (v.length === 0) throw new UsageError(`option ${name}: an empty list names no platform (leave the option out for the default)`, { option: name });
    return v.map((p, i) => platform(p, `${name}[${i}]`));
  }
  return [platform(v, name)];
};

/** A time: a Date or milliseconds since the epoch; given as a Date. */
export const time: Check = (v, name) => {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v);
  throw wrongType(name, 'a Date or milliseconds since the epoch', v);
};

/** The credentials of one registry side (`credentials`, `sourceCredentials`, `destinationCredentials`). */
export const credentials = object({
  creds: object({ username: string, password: string }),
  registryToken: string,
  anonymous: boolean,
  authfile: string,
  lookup: func,
  tlsVerify: boolean,
});

/**
 * Checks a positional argument of an operation (`image`, `bytes`, `images`) as an option of that name would be
 * checked, absent or `null` included: a UsageError that names the argument (it sets no `option`: it is not one).
 */
export function argument<T>(value: unknown, check: Check, name: string): T {
  if (value === undefined || value === null) throw new UsageError(`argument ${name}: want ${wantOf(check, name)}, got ${value === null ? 'null' : 'nothing'}`);
  try {
    return check(value, name) as T;
  } catch (err) {
    if (!(err instanceof UsageError) || err.option === undefined || !err.option.startsWith(name)) throw err;
    throw new UsageError(err.message.replace(/^option /, 'argument '), { cause: err });
  }
}

/**
 * Checks `options` against `schema`: every own key must be known, and every value not `undefined` must pass its
 * check. Returns the checked values (converted where the check converts), undefined ones left out.
 */
export function checkOptions(options: unknown, schema: Schema, prefix = ''): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlain(options)) {
    const name = prefix ? prefix.slice(0, -1) : 'options';
    throw new UsageError(`${prefix ? `option ${name}` : 'options'}: want an object, got ${describe(options)}`, { option: name });
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options as Record<string, unknown>)) {
    const name = `${prefix}${key}`;
    const check = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!check) throw new UsageError(`unknown option ${name}${suggestion(key, Object.keys(schema))}`, { option: name });
    if (value === undefined) continue;
    if (value === null) throw new UsageError(`option ${name}: want ${wantOf(check, name)}, got null (leave the option out instead)`, { option: name });
    out[key] = check(value, name);
  }
  return out;
}

/** What a check wants, for the null message: its own wrong-type message on a symbol. */
function wantOf(check: Check, name: string): string {
  try {
    check(Symbol('probe'), name);
  } catch (err) {
    const m = /want (.*), got/.exec(err instanceof Error ? err.message : '');
    if (m) return m[1]!;
  }
  return 'a value';
}

function suggestion(key: string, known: string[]): string {
  const lower = key.toLowerCase();
  const close = known.find((k) => k.toLowerCase() === lower || distance(k.toLowerCase(), lower) <= 2);
  return close ? ` (did you mean ${close}?)` : '';
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Go's types and values for templates. Plain data maps onto Go as JSON decodes into `interface{}` — strings,
 * booleans, integers (int), other numbers (float64), arrays ([]interface {}), objects (map[string]interface {}) and
 * null (a nil interface) — and typed data says what a Go struct would hold: `record(obj, structOf(…))` gives every
 * field its declared type, so a field the object lacks is that type's zero value (`""`, `0`, `[]`, `map[]`,
 * `<nil>`) as in Go, and a name the struct lacks is an error. `undefined` is Go's invalid value (a missing map key).
 */

export type GoKind =
  | 'bool' | 'int' | 'uint' | 'float' | 'complex' | 'string' | 'slice' | 'array' | 'map' | 'struct' | 'ptr' | 'interface' | 'time';

export interface GoType {
  /** As `%T` prints it. */
  readonly name: string;
  readonly kind: GoKind;
  /** Integer and float sizes. */
  readonly bits?: number;
  /** Element of a slice, array, map or pointer. */
  readonly elem?: GoType;
  /** Key of a map. */
  readonly key?: GoType;
  /** Fields of a struct, in order. */
  readonly fields?: ReadonlyArray<readonly [string, GoType]>;
  /** Length of an array. */
  readonly len?: number;
}

const basic = (name: string, kind: GoKind, bits?: number): GoType => ({ name, kind, ...(bits ? { bits } : {}) });

export const T = {
  bool: basic('bool', 'bool'),
  int: basic('int', 'int', 64),
  int8: basic('int8', 'int', 8),
  int16: basic('int16', 'int', 16),
  int32: basic('int32', 'int', 32),
  int64: basic('int64', 'int', 64),
  uint: basic('uint', 'uint', 64),
  uint8: basic('uint8', 'uint', 8),
  uint16: basic('uint16', 'uint', 16),
  uint32: basic('uint32', 'uint', 32),
  uint64: basic('uint64', 'uint', 64),
  uintptr: basic('uintptr', 'uint', 64),
  float32: basic('float32', 'float', 32),
  float64: basic('float64', 'float', 64),
  complex64: basic('complex64', 'complex', 64),
  complex128: basic('complex128', 'complex', 128),
  string: basic('string', 'string'),
  any: basic('interface {}', 'interface'),
  /** `*time.Time`, as skopeo's and the image spec's `Created` are: prints through time.Time's String(). */
  time: { name: '*time.Time', kind: 'time' } as GoType,
} as const;

/** A named string type (`digest.Digest`): prints and compares as a string. */
export const named = (name: string, of: GoType): GoType => ({ ...of, name });
export const sliceOf = (elem: GoType, name = `[]${elem.name}`): GoType => ({ name, kind: 'slice', elem });
export const arrayOf = (elem: GoType, len: number): GoType => ({ name: `[${len}]${elem.name}`, kind: 'array', elem, len });
export const mapOf = (key: GoType, elem: GoType, name = `map[${key.name}]${elem.name}`): GoType => ({ name, kind: 'map', key, elem });
export const ptrTo = (elem: GoType): GoType => ({ name: `*${elem.name}`, kind: 'ptr', elem });
export function structOf(name: string, fields: Record<string, GoType>): GoType {
  return { name, kind: 'struct', fields: Object.entries(fields) };
}
/** `struct {}`, the element of docker's ExposedPorts and Volumes sets. */
export const EMPTY_STRUCT = structOf('struct {}', {});

export interface Complex {
  re: number;
  im: number;
}

/** A scalar of an explicit Go type: sized ints (bigint), floats, complex numbers, times, typed nil pointers (null). */
export class Scalar {
  constructor(readonly type: GoType, readonly v: bigint | number | Complex | Date | string | boolean | null) {}
}

const TYPE = Symbol('go type');
const NIL = Symbol('go nil');

/** Marks an array or object as a value of Go type `type` (a slice, array, map, struct or pointer to a struct). */
export function typed<V extends object>(value: V, type: GoType): V {
  Object.defineProperty(value, TYPE, { value: type, enumerable: false });
  return value;
}

/** A struct named `name` (or of type `type`): its fields in order, each the object's value or the field's zero value. */
export function record<V extends object>(value: V, type: string | GoType): V {
  if (typeof type === 'string') type = structOf(type, Object.fromEntries(Object.keys(value).map((k) => [k, guessType((value as Record<string, unknown>)[k])])));
  return typed(value, type);
}

/** The Go type a plain value has (`record(obj, 'Name')` gives its fields the types of their values). */
function guessType(v: unknown): GoType {
  const t = typeOf(v);
  return t ?? T.any;
}

/** A nil slice or map of this type: prints `[]` / `map[]`, `%#v` shows `[]string(nil)`. */
export function nilOf(type: GoType): unknown {
  if (type.kind === 'slice') return typed(Object.defineProperty([], NIL, { value: true }), type);
  if (type.kind === 'map') return typed(Object.defineProperty({}, NIL, { value: true }), type);
  return new Scalar(type, null);
}

export function isNilContainer(v: object): boolean {
  return NIL in v;
}

/** The declared type of an array or object, if any. */
export function declaredType(v: object): GoType | undefined {
  return (v as { [TYPE]?: GoType })[TYPE];
}

/** The zero value of a type, as a Go struct field or a map's missing element holds it. */
export function zeroOf(type: GoType): unknown {
  switch (type.kind) {
    case 'bool':
      return false;
    case 'string':
      return type.name === 'string' ? '' : new Scalar(type, '');
    case 'int':
    case 'uint':
      return type === T.int ? 0 : new Scalar(type, 0n);
    case 'float':
      return new Scalar(type, 0);
    case 'complex':
      return new Scalar(type, { re: 0, im: 0 });
    case 'slice':
    case 'map':
    case 'ptr':
    case 'time':
      return nilOf(type);
    case 'array':
      return typed(Array.from({ length: type.len ?? 0 }, () => zeroOf(type.elem!)), type);
    case 'struct':
      return typed({}, type);
    case 'interface':
      return null;
  }
}

/**
 * The Go type of a value: undefined for the invalid value (a missing key), null for an untyped nil.
 */
export function typeOf(v: unknown): GoType | undefined | null {
  if (v === undefined) return undefined;
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
      return T.string;
    case 'boolean':
      return T.bool;
    case 'bigint':
      return T.int;
    case 'number':
      return Number.isInteger(v) && !Object.is(v, -0) ? T.int : T.float64;
    case 'object':
      if (v instanceof Scalar) return v.type;
      return declaredType(v) ?? (Array.isArray(v) ? PLAIN_SLICE : PLAIN_MAP);
    default:
      return T.any;
  }
}

const PLAIN_SLICE = sliceOf(T.any);
const PLAIN_MAP = mapOf(T.string, T.any);

/** The kind of a value after looking through a pointer to a struct. */
export function kindOf(v: unknown): GoKind | 'invalid' | 'nil' {
  const t = typeOf(v);
  if (t === undefined) return 'invalid';
  if (t === null) return 'nil';
  return t.kind === 'ptr' && t.elem?.kind === 'struct' && !(v instanceof Scalar) ? 'struct' : t.kind;
}

/** The type of a struct value (looking through a pointer). */
export function structType(v: object): GoType | undefined {
  const t = declaredType(v);
  if (!t) return undefined;
  if (t.kind === 'struct') return t;
  if (t.kind === 'ptr' && t.elem?.kind === 'struct') return t.elem;
  return undefined;
}

/** A field of a struct value: the object's own value, else the field type's zero value; undefined if no such field. */
export function structField(v: object, name: string): { found: boolean; value: unknown } {
  const st = structType(v)!;
  const field = st.fields!.find(([n]) => n === name);
  if (!field) return { found: false, value: undefined };
  const own = Object.hasOwn(v, name) ? (v as Record<string, unknown>)[name] : undefined;
  return { found: true, value: own === undefined ? zeroOf(field[1]) : conform(own, field[1]) };
}

/** A plain value given for a field of type `t`, as Go would hold it (null of a pointer type is a typed nil). */
function conform(v: unknown, t: GoType): unknown {
  if (v === null && t.kind !== 'interface') return zeroOf(t);
  if (typeof v === 'number' && (t.kind === 'int' || t.kind === 'uint') && t !== T.int && Number.isInteger(v)) return new Scalar(t, BigInt(v));
  if (typeof v === 'bigint' && (t.kind === 'int' || t.kind === 'uint') && t !== T.int) return new Scalar(t, v);
  if (typeof v === 'number' && t.kind === 'float') return new Scalar(t, v);
  if (typeof v === 'string' && t.kind === 'string' && t.name !== 'string') return new Scalar(t, v);
  if (typeof v === 'string' && t.kind === 'time') return new Scalar(t, v);
  if (Array.isArray(v) && !declaredType(v) && (t.kind === 'slice' || t.kind === 'array')) return typed(v.map((e) => conform(e, t.elem!)), t);
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Scalar) && !declaredType(v)) {
    if (t.kind === 'map') return typed(Object.fromEntries(Object.entries(v).map(([k, e]) => [k, conform(e, t.elem!)])), t);
    if (t.kind === 'struct' || (t.kind === 'ptr' && t.elem?.kind === 'struct')) return typed(v, t);
  }
  return v;
}

/** A slice, array or map's elements as Go values (a typed container's elements conform to its element type). */
export function elements(v: unknown[]): unknown[] {
  const t = declaredType(v);
  return t?.elem ? v.map((e) => conform(e, t.elem!)) : v;
}

export function mapEntry(v: object, key: string): unknown {
  const t = declaredType(v);
  const own = Object.hasOwn(v, key) ? (v as Record<string, unknown>)[key] : undefined;
  return own === undefined || !t?.elem ? own : conform(own, t.elem);
}

/** Keys of a map in Go's sorted order (numbers by value, strings by bytes). */
export function sortedKeys(v: object): string[] {
  const t = declaredType(v);
  const keys = Object.keys(v);
  if (t?.key && (t.key.kind === 'int' || t.key.kind === 'uint')) return keys.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  // UTF-16 order is UTF-8 byte order unless a key has a character beyond the BMP (a surrogate pair).
  if (!keys.some((k) => /[\ud800-\udfff]/.test(k))) return keys.sort();
  return keys.map((k) => [k, Buffer.from(k)] as const).sort((a, b) => Buffer.compare(a[1], b[1])).map(([k]) => k);
}

/** A map key as a Go value of the map's key type. */
export function keyValue(v: object, key: string): unknown {
  const kt = declaredType(v)?.key;
  if (!kt || kt.kind === 'string') return kt && kt.name !== 'string' ? new Scalar(kt, key) : key;
  if (kt.kind === 'int' || kt.kind === 'uint') return kt === T.int ? Number(key) : new Scalar(kt, BigInt(key));
  return key;
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** The integer value of an int or uint value, else undefined. */
export function intValue(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0)) return BigInt(v);
  if (v instanceof Scalar && (v.type.kind === 'int' || v.type.kind === 'uint') && typeof v.v === 'bigint') return v.v;
  return undefined;
}

export function floatValue(v: unknown): number | undefined {
  if (typeof v === 'number' && typeOf(v) === T.float64) return v;
  if (v instanceof Scalar && v.type.kind === 'float') return v.v as number;
  return undefined;
}

export function stringValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Scalar && v.type.kind === 'string') return v.v as string;
  return undefined;
}

/** Go's truth: false, 0, "", nil and empty slices and maps are false; structs are true. */
export function isTrue(v: unknown): boolean {
  if (isNil(v)) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof Scalar) {
    const x = v.v;
    if (x === null) return false;
    if (typeof x === 'bigint') return x !== 0n;
    if (typeof x === 'number') return x !== 0;
    if (typeof x === 'string') return x.length > 0;
    if (typeof x === 'boolean') return x;
    if (v.type.kind === 'complex') return (x as Complex).re !== 0 || (x as Complex).im !== 0;
    return true;
  }
  if (Array.isArray(v)) return v.length > 0;
  const k = kindOf(v);
  if (k === 'struct') return true;
  return Object.keys(v as object).length > 0;
}

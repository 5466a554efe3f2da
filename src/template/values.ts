/**
 * How template data maps onto Go's types: strings, numbers (integers print as Go ints, others as float64),
 * booleans, arrays (slices), plain objects (maps: a missing key is `<no value>`) and records (structs: a
 * field they lack is an error, their fields print in order as `{a b}`). null and undefined are nil.
 */

const RECORD = Symbol('template record');

/** Marks an object as a struct named `type`: its keys are its fields and `.Typo` fails instead of printing nothing. */
export function record<T extends object>(value: T, type: string): T {
  Object.defineProperty(value, RECORD, { value: type, enumerable: false });
  return value;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && RECORD in v;
}

export function recordType(v: object): string {
  return (v as { [RECORD]?: string })[RECORD] ?? 'struct';
}

export function isNil(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

/** Go's truth: false, 0, "", nil and empty lists and maps are false; records are true. */
export function isTrue(v: unknown): boolean {
  if (isNil(v)) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string' || Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return true;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

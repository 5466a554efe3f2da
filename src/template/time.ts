/**
 * Go's time.Time as templates print it: String() (`2026-01-01 00:00:00 +0000 UTC`, fractional seconds with trailing
 * zeros dropped, a numeric zone for offsets other than UTC), GoString() for `%#v`, and RFC 3339 for JSON. The wall
 * clock and offset are kept as the registry wrote them (RFC 3339 text), nanoseconds included.
 */

export interface GoTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nanos: number;
  /** Seconds east of UTC. */
  offset: number;
  goString(): string;
  /** time.Time's fields: wall (nanoseconds, for a time without a monotonic reading) and ext (seconds since year 1). */
  internals(): { wall: bigint; ext: bigint };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const RFC3339 = /^(\d{4,})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([Zz])|([+-])(\d\d):?(\d\d))$/;

/** The time a config's RFC 3339 string (or a Date) holds; null for nil or text that is no time. */
export function goTime(v: string | Date | null): GoTime | null {
  if (v === null) return null;
  const text = v instanceof Date ? v.toISOString() : v;
  const m = RFC3339.exec(text);
  if (!m) return null;
  const frac = (m[7] ?? '').slice(0, 9).padEnd(9, '0');
  const offset = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  const t = {
    year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[4]), min: Number(m[5]), sec: Number(m[6]),
    nanos: Number(frac), offset,
  };
  return {
    ...t,
    internals: () => {
      const d = new Date(0);
      d.setUTCFullYear(t.year, t.month - 1, t.day);
      d.setUTCHours(t.hour, t.min, t.sec, 0);
      return { wall: BigInt(t.nanos), ext: BigInt(Math.round(d.getTime() / 1000) - offset) + 62135596800n };
    },
    goString: () => `time.Date(${t.year}, time.${MONTHS[t.month - 1] ?? t.month}, ${t.day}, ${t.hour}, ${t.min}, ${t.sec}, ${t.nanos}, ${offset === 0 ? 'time.UTC' : 'time.Location("")'})`,
  };
}

const two = (n: number) => String(n).padStart(2, '0');

function zone(offset: number, colon: boolean): string {
  const a = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${two(Math.floor(a / 3600))}${colon ? ':' : ''}${two(Math.floor(a / 60) % 60)}`;
}

const fraction = (nanos: number) => (nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`);

/** time.Time.String(): `2006-01-02 15:04:05.999999999 -0700 MST`. */
export function formatTime(t: GoTime): string {
  const date = `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(t.day)}`;
  const clock = `${two(t.hour)}:${two(t.min)}:${two(t.sec)}${fraction(t.nanos)}`;
  return `${date} ${clock} ${zone(t.offset, false)} ${t.offset === 0 ? 'UTC' : zone(t.offset, false)}`;
}

/** time.Time.MarshalJSON: RFC 3339 with nanoseconds. */
export function timeJson(t: GoTime): string {
  const date = `${String(t.year).padStart(4, '0')}-${two(t.month)}-${two(t.day)}`;
  return `${date}T${two(t.hour)}:${two(t.min)}:${two(t.sec)}${fraction(t.nanos)}${t.offset === 0 ? 'Z' : zone(t.offset, true)}`;
}

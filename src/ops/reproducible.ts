import { UsageError } from '../errors.js';
import type { OpsContext } from './context.js';

/**
 * The time a reproducible build stamps and clamps to: `SOURCE_DATE_EPOCH` (seconds) when set, else 0. Undefined when
 * the build is not reproducible (neither asked for nor `SOURCE_DATE_EPOCH` set): then times are the files' and now.
 */
export function reproducibleTime(ctx: OpsContext, reproducible: boolean | undefined): Date | undefined {
  const raw = ctx.env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return reproducible ? new Date(0) : undefined;
  if (!/^\d{1,12}$/.test(raw)) throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970, not "${raw}"`);
  return new Date(Number(raw) * 1000);
}

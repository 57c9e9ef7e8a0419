// Parsing of the operator commands' positions and times. A time is an RFC 3339 date-time with an
// offset (2026-01-31T12:00:00Z) or epoch millis; a replay bound may instead be an offset.
// Bare digits in --from/--to are offsets; a time in epoch millis there is written @<millis>,
// because 1736167404634 could otherwise be either.
import { parseRfc3339 } from '../../avro/json.ts';
import { CliError, EXIT } from '../output.ts';

export type Position =
  | { kind: 'time'; time: number }
  | { kind: 'offset'; offset: bigint }
  | { kind: 'earliest' }
  | { kind: 'latest' };

const TIME_FORMS = 'an RFC 3339 date-time with an offset (2026-01-31T12:00:00Z) or epoch millis';

/** A time flag: RFC 3339 with offset, or epoch millis. */
export function parseTime(text: string, flag: string): number {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const time = parseRfc3339(text);
  if (time === null) throw new CliError(`${flag} ${JSON.stringify(text)} is not a time: use ${TIME_FORMS}`, EXIT.USAGE);
  return time;
}

/** A replay bound: earliest | latest | <offset> | @<epoch millis> | RFC 3339 date-time. */
export function parsePosition(text: string, flag: string): Position {
  if (text === 'earliest' || text === 'latest') return { kind: text };
  if (/^\d{1,19}$/.test(text)) return { kind: 'offset', offset: BigInt(text) };
  if (/^@\d{1,15}$/.test(text)) return { kind: 'time', time: Number(text.slice(1)) };
  const time = parseRfc3339(text);
  if (time === null) {
    throw new CliError(`${flag} ${JSON.stringify(text)} is not a position: use earliest, latest, an offset, @<epoch millis> or an RFC 3339 date-time with an offset`, EXIT.USAGE);
  }
  return { kind: 'time', time };
}

/** A rate flag: "200", "200/s" or "12000/m", as records per second (> 0). */
export function parseRate(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/(s|m))?$/.exec(text);
  const value = m ? Number(m[1]) / (m[2] === 'm' ? 60 : 1) : Number.NaN;
  if (!(value > 0)) throw new CliError(`${flag} ${JSON.stringify(text)} is not a rate: use a positive number per second, e.g. 200/s`, EXIT.USAGE);
  return value;
}

/** A duration flag: "90s", "15m", "2h", "1d" or plain seconds, in milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(text);
  if (!m) throw new CliError(`${flag} ${JSON.stringify(text)} is not a duration: use e.g. 90s, 15m, 2h or 1d`, EXIT.USAGE);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** A non-negative integer flag (a count, a partition). */
export function parseCount(text: string, flag: string, min = 0): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < min) throw new CliError(`${flag} ${JSON.stringify(text)} must be an integer ≥ ${min}`, EXIT.USAGE);
  return Number(text);
}

// Wall-clock time of a store: the weekday and minute of day of an instant in an IANA zone.
// Dayparts are written in store-local time (breakfast is 6:00 in Chicago and in Tokyo), so the
// offset must come from the zone database at that instant, which makes DST days right.
import { ValidationError } from '../../engine/errors.ts';
import type { Weekday } from '../../avro/records.ts';

export interface LocalTime {
  weekday: Weekday;
  /** Minutes since local midnight, 0..1439. */
  minuteOfDay: number;
}

const WEEKDAYS: Record<string, Weekday> = {
  Mon: 'MON', Tue: 'TUE', Wed: 'WED', Thu: 'THU', Fri: 'FRI', Sat: 'SAT', Sun: 'SUN',
};

// Creating a DateTimeFormat costs far more than formatting with it, and this runs per order:
// one formatter per zone, kept for the life of the process (there are a few hundred zones at most).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      });
    } catch {
      throw new ValidationError('storeTimeZone', 'an IANA time zone name', `storeTimeZone: unknown time zone ${JSON.stringify(timeZone)}`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The store-local weekday and minute of day at `epochMillis` in `timeZone`. */
export function localTime(epochMillis: number, timeZone: string): LocalTime {
  let weekday: Weekday | undefined;
  let hour = -1;
  let minute = -1;
  for (const part of formatterFor(timeZone).formatToParts(epochMillis)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value];
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  if (weekday === undefined || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    throw new ValidationError('storeTimeZone', 'a zone the runtime can format', `cannot read the local time of ${epochMillis} in ${timeZone}`);
  }
  return { weekday, minuteOfDay: hour * 60 + minute };
}

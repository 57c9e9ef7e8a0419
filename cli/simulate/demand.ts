// When people eat: order intensity by minute of the day in the store's local time, with
// breakfast, lunch and dinner peaks, and the conversion from event time to local time.

const PEAKS = [
  { centerMinute: 8 * 60, sigmaMinutes: 50, height: 1.0 },
  { centerMinute: 12 * 60 + 15, sigmaMinutes: 55, height: 1.6 },
  { centerMinute: 18 * 60 + 15, sigmaMinutes: 70, height: 1.2 },
] as const;

/** Relative order intensity at a local minute of day (0..1439); its maximum is below MAX_INTENSITY. */
export function intensityAt(localMinute: number): number {
  const hour = localMinute / 60;
  if (hour < 5) return 0.02;
  let value = hour < 23 ? 0.12 : 0.05;
  for (const peak of PEAKS) {
    const z = (localMinute - peak.centerMinute) / peak.sigmaMinutes;
    value += peak.height * Math.exp(-0.5 * z * z);
  }
  return value;
}

export const MAX_INTENSITY = 1.75;

/** Breakfast menu hours, local time. */
export function isBreakfastTime(localMinute: number): boolean {
  return localMinute >= 5 * 60 && localMinute < 10 * 60 + 30;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();
const HOUR_MS = 3600_000;

/** The zone's UTC offset in minutes at `time`; cached per zone and UTC hour (zones change offset on the hour). */
function offsetMinutes(timeZone: string, time: number): number {
  const hour = Math.floor(time / HOUR_MS);
  const cacheKey = `${timeZone}@${hour}`;
  const cached = offsetCache.get(cacheKey);
  if (cached !== undefined) return cached;
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  const at = hour * HOUR_MS;
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  const offset = Math.round((asUtc - at) / 60_000);
  if (offsetCache.size > 50_000) offsetCache.clear();
  offsetCache.set(cacheKey, offset);
  return offset;
}

/** Minute of the day (0..1439) at `time` in `timeZone`. */
export function localMinuteOfDay(timeZone: string, time: number): number {
  const local = time + offsetMinutes(timeZone, time) * 60_000;
  const dayMs = 86_400_000;
  return Math.floor((((local % dayMs) + dayMs) % dayMs) / 60_000);
}

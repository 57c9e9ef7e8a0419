import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { localTime } from '../../../../processors/promotions/local-time.ts';
import { ValidationError } from '../../../../engine/errors.ts';

const at = (iso: string): number => Date.parse(iso);
const hm = (h: number, m: number): number => h * 60 + m;

describe('localTime', () => {
  const cases: [string, string, string, number][] = [
    // zone, instant, local weekday, local minute of day
    ['America/Chicago', '2026-01-14T12:00:00Z', 'WED', hm(6, 0)],
    // Spring forward, Sunday 2026-03-08: 01:59 CST is followed by 03:00 CDT.
    ['America/Chicago', '2026-03-08T07:59:00Z', 'SUN', hm(1, 59)],
    ['America/Chicago', '2026-03-08T08:00:00Z', 'SUN', hm(3, 0)],
    // Fall back, Sunday 2026-11-01: 01:30 happens twice, first CDT then CST.
    ['America/Chicago', '2026-11-01T06:30:00Z', 'SUN', hm(1, 30)],
    ['America/Chicago', '2026-11-01T07:30:00Z', 'SUN', hm(1, 30)],
    ['America/Chicago', '2026-11-01T08:00:00Z', 'SUN', hm(2, 0)],
    ['Europe/Berlin', '2026-01-15T05:00:00Z', 'THU', hm(6, 0)],
    ['Europe/Berlin', '2026-07-01T04:00:00Z', 'WED', hm(6, 0)],
    // Tokyo is already Monday while UTC is still Sunday.
    ['Asia/Tokyo', '2026-01-04T21:30:00Z', 'MON', hm(6, 30)],
    ['Asia/Kolkata', '2026-01-14T00:30:00Z', 'WED', hm(6, 0)],
    ['UTC', '2026-01-14T23:59:59.999Z', 'WED', hm(23, 59)],
    ['America/Chicago', '2026-01-15T06:00:00Z', 'THU', 0],
  ];
  for (const [zone, iso, weekday, minuteOfDay] of cases) {
    test(`${iso} in ${zone} is ${weekday} minute ${minuteOfDay}`, () => {
      assert.deepEqual(localTime(at(iso), zone), { weekday, minuteOfDay });
    });
  }

  test('an unknown zone is a ValidationError naming storeTimeZone', () => {
    assert.throws(() => localTime(0, 'Mars/Olympus_Mons'), (err: unknown) =>
      err instanceof ValidationError && err.path === 'storeTimeZone');
  });
});

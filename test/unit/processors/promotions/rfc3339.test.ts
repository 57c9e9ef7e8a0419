import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRfc3339 } from '../../../../processors/promotions/rfc3339.ts';

describe('parseRfc3339', () => {
  const valid: [string, number][] = [
    ['2026-01-31T12:00:00Z', Date.UTC(2026, 0, 31, 12)],
    ['2026-01-31T12:00:00.250+02:00', Date.UTC(2026, 0, 31, 10, 0, 0, 250)],
    ['2026-01-31T12:00:00.5-05:30', Date.UTC(2026, 0, 31, 17, 30, 0, 500)],
    ['2026-01-31T12:00:00.123999Z', Date.UTC(2026, 0, 31, 12, 0, 0, 123)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['1970-01-01T00:00:00Z', 0],
  ];
  for (const [text, millis] of valid) test(`${text} → ${millis}`, () => assert.equal(parseRfc3339(text), millis));

  const invalid = [
    '2026-01-31', '2026-01-31T12:00:00', '2026-01-31t12:00:00Z', '2026-01-31T12:00:00z', '2026-01-31 12:00:00Z',
    '2026-13-01T00:00:00Z', '2026-02-29T00:00:00Z', '2026-01-32T00:00:00Z', '2026-01-31T24:00:00Z',
    '2026-01-31T12:60:00Z', '2026-01-31T12:00:60Z', '2026-01-31T12:00:00+0200', '2026-01-31T12:00:00+24:00', '',
  ];
  for (const text of invalid) test(`${JSON.stringify(text)} is refused`, () => assert.equal(parseRfc3339(text), null));
});

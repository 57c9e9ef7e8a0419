// Windows, ordering and the audience checks of evaluatePromotions, in RULES.md order:
// CHANNEL, STORE, TIER, DAYPART, MIN_SPEND, CONTROL_GROUP; the first failing one names the reason.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Daypart } from '../../../../avro/records.ts';
import { NOON_UTC, campaign, evaluate, line, only, order } from './builders.ts';

const at = (iso: string): number => Date.parse(iso);

describe('campaign window', () => {
  const c = campaign({ startsAt: NOON_UTC, endsAt: NOON_UTC + 1000 });
  test('t = startsAt is inside', () => {
    assert.equal(evaluate([c], { order: order({ occurredAt: NOON_UTC }) }).evaluations.length, 1);
  });
  test('t = endsAt − 1 is inside', () => {
    assert.equal(evaluate([c], { order: order({ occurredAt: NOON_UTC + 999 }) }).evaluations.length, 1);
  });
  test('t = endsAt and t < startsAt emit no evaluation', () => {
    assert.deepEqual(evaluate([c], { order: order({ occurredAt: NOON_UTC + 1000 }) }).evaluations, []);
    assert.deepEqual(evaluate([c], { order: order({ occurredAt: NOON_UTC - 1 }) }).evaluations, []);
  });
});

describe('evaluation order', () => {
  test('campaigns are evaluated in campaignId order whatever the table order', () => {
    const ids = ['b', 'a-2', 'B', 'a', 'a-10'];
    const result = evaluate(ids.map((campaignId) => campaign({ campaignId })));
    // Code unit order: uppercase before lowercase, "a-10" before "a-2".
    assert.deepEqual(result.evaluations.map((e) => e.campaignId), ['B', 'a', 'a-10', 'a-2', 'b']);
    assert.deepEqual(result.bonuses.map((b) => b.campaignId), ['B', 'a', 'a-10', 'a-2', 'b']);
  });

  test('each evaluation carries the campaign version', () => {
    assert.equal(only(evaluate([campaign({ version: 7 })])).campaignVersion, 7);
  });
});

describe('audience filters', () => {
  const cases: { name: string; c: Parameters<typeof campaign>[0]; reason: string | null; tier?: string; eligibleCents?: number }[] = [
    { name: 'channel listed', c: { channels: ['APP', 'WEB'] }, reason: null },
    { name: 'channel not listed', c: { channels: ['IN_STORE'] }, reason: 'CHANNEL' },
    { name: 'store listed', c: { stores: ['s-chi-01'] }, reason: null },
    { name: 'store not listed', c: { stores: ['s-nyc-01'] }, reason: 'STORE' },
    { name: 'tier listed', c: { tiers: ['SILVER', 'GOLD'] }, tier: 'GOLD', reason: null },
    { name: 'tier not listed', c: { tiers: ['SILVER', 'GOLD'] }, tier: 'BRONZE', reason: 'TIER' },
    { name: 'E = minEligibleCents passes', c: { minEligibleCents: 1000 }, eligibleCents: 1000, reason: null },
    { name: 'E below minEligibleCents', c: { minEligibleCents: 1000 }, eligibleCents: 999, reason: 'MIN_SPEND' },
    { name: 'all filters null', c: {}, reason: null },
    // First failing check wins.
    { name: 'channel before store', c: { channels: ['KIOSK'], stores: ['x'] }, reason: 'CHANNEL' },
    { name: 'store before tier', c: { stores: ['x'], tiers: ['GOLD'] }, reason: 'STORE' },
    { name: 'tier before daypart', c: { tiers: ['GOLD'], daypart: { days: ['SUN'], startMinute: 0, endMinute: 1 } }, reason: 'TIER' },
    { name: 'daypart before min spend', c: { daypart: { days: ['SUN'], startMinute: 0, endMinute: 1 }, minEligibleCents: 10 ** 9 }, reason: 'DAYPART' },
    { name: 'min spend before control group', c: { minEligibleCents: 10 ** 9, controlGroupBp: 10000 }, reason: 'MIN_SPEND' },
    { name: 'channel before control group', c: { channels: ['KIOSK'], controlGroupBp: 10000 }, reason: 'CHANNEL' },
  ];
  for (const { name, c, reason, tier, eligibleCents } of cases) {
    test(`${name} → ${reason ?? 'AWARDED'}`, () => {
      const e = only(evaluate([campaign(c)], { tier, eligibleCents }));
      assert.equal(e.reason, reason);
      assert.equal(e.outcome, reason === null ? 'AWARDED' : 'NOT_ELIGIBLE');
      assert.equal(e.bonusPoints, reason === null ? 100 : 0);
    });
  }

  test('E after discount decides MIN_SPEND (the caller passes E)', () => {
    const o = order({ lines: [line('ENTREE', 1500)], discountCents: 600 });
    assert.equal(only(evaluate([campaign({ minEligibleCents: 1000 })], { order: o })).reason, 'MIN_SPEND');
  });
});

describe('control group', () => {
  // fnv1a32("welcome:m-5") % 10000 = 2200.
  const welcome = (controlGroupBp: number) => campaign({ campaignId: 'welcome', controlGroupBp });
  test('bucket < controlGroupBp is CONTROL with reason CONTROL_GROUP and no bonus', () => {
    const result = evaluate([welcome(2201)], { memberId: 'm-5' });
    assert.deepEqual(only(result), {
      campaignId: 'welcome', campaignVersion: 1, outcome: 'CONTROL', reason: 'CONTROL_GROUP', bonusPoints: 0, progress: null,
    });
    assert.deepEqual(result.bonuses, []);
    assert.deepEqual(result.counters, {});
  });
  test('bucket = controlGroupBp is not control', () => {
    assert.equal(only(evaluate([welcome(2200)], { memberId: 'm-5' })).outcome, 'AWARDED');
  });
  test('0 bp has no control group, 10000 bp is everyone', () => {
    for (const memberId of ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6']) {
      assert.equal(only(evaluate([welcome(0)], { memberId })).outcome, 'AWARDED');
      assert.equal(only(evaluate([welcome(10000)], { memberId })).outcome, 'CONTROL');
    }
  });
  test('the same member lands in the same bucket on every order', () => {
    const c = welcome(5000);
    const outcomes = [0, 1, 2, 3].map((i) => only(evaluate([c], { memberId: 'm-2', order: order({ occurredAt: NOON_UTC + i * 86_400_000 }) })).outcome);
    assert.equal(new Set(outcomes).size, 1);
  });
});

describe('daypart in store-local time', () => {
  const breakfast: Daypart = { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], startMinute: 360, endMinute: 630 };
  const cases: [string, string, string, string | null][] = [
    // zone, instant, what it is locally, expected reason
    ['America/Chicago', '2026-01-14T12:00:00Z', 'Wed 06:00 CST, start is inside', null],
    ['America/Chicago', '2026-01-14T11:59:59Z', 'Wed 05:59:59 CST', 'DAYPART'],
    ['America/Chicago', '2026-01-14T16:29:59Z', 'Wed 10:29:59 CST', null],
    ['America/Chicago', '2026-01-14T16:30:00Z', 'Wed 10:30 CST, end is outside', 'DAYPART'],
    ['America/Chicago', '2026-01-17T13:00:00Z', 'Sat 07:00 CST', 'DAYPART'],
    // Friday before spring forward (CST, UTC−6) and Monday after it (CDT, UTC−5).
    ['America/Chicago', '2026-03-06T11:30:00Z', 'Fri 05:30 CST', 'DAYPART'],
    ['America/Chicago', '2026-03-06T12:00:00Z', 'Fri 06:00 CST', null],
    ['America/Chicago', '2026-03-09T10:59:00Z', 'Mon 05:59 CDT', 'DAYPART'],
    ['America/Chicago', '2026-03-09T11:00:00Z', 'Mon 06:00 CDT', null],
    // Monday after fall back: CST again.
    ['America/Chicago', '2026-11-02T11:00:00Z', 'Mon 05:00 CST', 'DAYPART'],
    ['America/Chicago', '2026-11-02T12:00:00Z', 'Mon 06:00 CST', null],
    ['Europe/Berlin', '2026-01-15T04:59:00Z', 'Thu 05:59 CET', 'DAYPART'],
    ['Europe/Berlin', '2026-01-15T05:00:00Z', 'Thu 06:00 CET', null],
    ['Europe/Berlin', '2026-07-01T04:00:00Z', 'Wed 06:00 CEST', null],
    ['Europe/Berlin', '2026-07-01T08:30:00Z', 'Wed 10:30 CEST', 'DAYPART'],
    ['Asia/Tokyo', '2026-01-04T21:30:00Z', 'Mon 06:30 JST (Sunday in UTC)', null],
    ['Asia/Tokyo', '2026-01-09T22:00:00Z', 'Sat 07:00 JST (Friday in UTC)', 'DAYPART'],
    ['Asia/Kolkata', '2026-01-14T00:30:00Z', 'Wed 06:00 IST (UTC+05:30)', null],
    ['Asia/Kolkata', '2026-01-14T00:29:00Z', 'Wed 05:59 IST', 'DAYPART'],
  ];
  for (const [storeTimeZone, iso, local, reason] of cases) {
    test(`${storeTimeZone} ${iso} (${local}) → ${reason ?? 'AWARDED'}`, () => {
      const o = order({ storeTimeZone, occurredAt: at(iso) });
      assert.equal(only(evaluate([campaign({ daypart: breakfast })], { order: o })).reason, reason);
    });
  }

  test('the hour skipped by spring forward never matches (Chicago, 2026-03-08)', () => {
    const twoAm = campaign({ daypart: { days: ['SUN'], startMinute: 120, endMinute: 180 } });
    for (const iso of ['2026-03-08T07:59:59Z', '2026-03-08T08:00:00Z', '2026-03-08T08:30:00Z']) {
      assert.equal(only(evaluate([twoAm], { order: order({ occurredAt: at(iso) }) })).reason, 'DAYPART', iso);
    }
  });

  test('the hour repeated by fall back matches twice (Chicago, 2026-11-01)', () => {
    const oneAm = campaign({ daypart: { days: ['SUN'], startMinute: 60, endMinute: 120 } });
    for (const [iso, reason] of [['2026-11-01T06:30:00Z', null], ['2026-11-01T07:30:00Z', null], ['2026-11-01T08:00:00Z', 'DAYPART']] as const) {
      assert.equal(only(evaluate([oneAm], { order: order({ occurredAt: at(iso) }) })).reason, reason, iso);
    }
  });

  test('a whole-day daypart (0..1440) matches the last minute of the day', () => {
    const weekend = campaign({ daypart: { days: ['SAT', 'SUN'], startMinute: 0, endMinute: 1440 } });
    assert.equal(only(evaluate([weekend], { order: order({ occurredAt: at('2026-01-18T05:59:59Z') }) })).reason, null);
    assert.equal(only(evaluate([weekend], { order: order({ occurredAt: at('2026-01-19T06:00:00Z') }) })).reason, 'DAYPART');
  });
});

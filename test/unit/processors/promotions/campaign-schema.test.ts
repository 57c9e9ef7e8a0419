import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCampaign } from '../../../../processors/promotions/campaign-schema.ts';
import { ValidationError } from '../../../../engine/errors.ts';
import { program } from './builders.ts';

/** A campaign file as an author writes it: RFC 3339 times, only the type's params. */
function file(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    campaignId: 'breakfast-2x', version: 3, type: 'MULTIPLIER',
    startsAt: '2026-01-01T00:00:00Z', endsAt: '2027-01-01T00:00:00Z',
    channels: ['APP', 'WEB'], stores: null, tiers: null,
    daypart: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], startMinute: 360, endMinute: 630 },
    minEligibleCents: 0, controlGroupBp: 500, maxAwardsPerMember: null, exclusiveGroup: null,
    params: { extraMultiplierBp: 10000, categories: ['BREAKFAST'] },
    ...overrides,
  };
}

function rejects(obj: unknown, path: string): void {
  assert.throws(() => validateCampaign(obj, { program }), (err: unknown) => {
    assert.ok(err instanceof ValidationError, String(err));
    assert.equal(err.path, path, err.message);
    assert.equal(err.code, 'SCHEMA_VIOLATION');
    assert.ok(err.message.includes(path), err.message);
    return true;
  });
}

describe('validateCampaign accepts', () => {
  test('the RULES.md example, converting times and filling the other params with null', () => {
    assert.deepEqual(validateCampaign(file()), {
      campaignId: 'breakfast-2x', version: 3, type: 'MULTIPLIER',
      startsAt: Date.UTC(2026, 0, 1), endsAt: Date.UTC(2027, 0, 1),
      channels: ['APP', 'WEB'], stores: null, tiers: null,
      daypart: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], startMinute: 360, endMinute: 630 },
      minEligibleCents: 0, controlGroupBp: 500, maxAwardsPerMember: null, exclusiveGroup: null,
      params: { extraMultiplierBp: 10000, categories: ['BREAKFAST'], bonusPoints: null, every: null },
    });
  });

  test('epoch millis and offsets for startsAt/endsAt', () => {
    const c = validateCampaign(file({ startsAt: 1767225600000, endsAt: '2026-01-01T06:00:00.500+05:30' }));
    assert.equal(c.startsAt, 1767225600000);
    assert.equal(c.endsAt, Date.UTC(2026, 0, 1, 0, 30, 0, 500));
  });

  test('a decoded wire record (all params, other types null) validates to itself', () => {
    const wire = validateCampaign(file());
    assert.deepEqual(validateCampaign(wire), wire);
  });

  test('each type with its own params', () => {
    const types: [string, Record<string, unknown>][] = [
      ['SPEND_THRESHOLD', { bonusPoints: 150 }],
      ['NTH_VISIT', { every: 5, bonusPoints: 200 }],
      ['FIRST_ORDER', { bonusPoints: 500, every: null }],
      ['MULTIPLIER', { extraMultiplierBp: 5000, categories: null }],
      ['MULTIPLIER', { extraMultiplierBp: 5000 }],
    ];
    for (const [type, params] of types) assert.equal(validateCampaign(file({ type, params })).type, type);
  });

  test('edge values: whole-day daypart, 10000 bp control group, tiers of the program', () => {
    const c = validateCampaign(file({
      daypart: { days: ['SAT', 'SUN'], startMinute: 0, endMinute: 1440 }, controlGroupBp: 10000, tiers: ['GOLD'],
    }), { program });
    assert.equal(c.daypart?.endMinute, 1440);
  });
});

describe('validateCampaign refuses, naming the field', () => {
  const cases: [string, unknown, string][] = [
    ['not an object', 42, ''],
    ['a missing field', (() => { const f = file(); delete f.controlGroupBp; return f; })(), 'controlGroupBp'],
    ['an unknown field', file({ startAt: 1 }), 'startAt'],
    ['an unknown param', file({ params: { extraMultiplierBp: 1, categories: null, multiplier: 2 } }), 'params.multiplier'],
    ['an empty campaignId', file({ campaignId: '' }), 'campaignId'],
    ['a campaignId with a colon', file({ campaignId: 'a:b' }), 'campaignId'],
    ['version 0', file({ version: 0 }), 'version'],
    ['a fractional version', file({ version: 1.5 }), 'version'],
    ['an unknown type', file({ type: 'CASHBACK' }), 'type'],
    ['endsAt = startsAt', file({ endsAt: '2026-01-01T00:00:00Z' }), 'endsAt'],
    ['endsAt before startsAt', file({ endsAt: '2025-01-01T00:00:00Z' }), 'endsAt'],
    ['a time without offset', file({ startsAt: '2026-01-01T00:00:00' }), 'startsAt'],
    ['a lowercase t', file({ startsAt: '2026-01-01t00:00:00Z' }), 'startsAt'],
    ['31 April', file({ startsAt: '2026-04-31T00:00:00Z' }), 'startsAt'],
    ['an unknown channel', file({ channels: ['APP', 'FAX'] }), 'channels[1]'],
    ['an empty channel list', file({ channels: [] }), 'channels'],
    ['a repeated channel', file({ channels: ['APP', 'APP'] }), 'channels[1]'],
    ['an empty store list', file({ stores: [] }), 'stores'],
    ['a tier the program does not have', file({ tiers: ['PLATINUM'] }), 'tiers[0]'],
    ['an unknown day', file({ daypart: { days: ['MON', 'FUN'], startMinute: 0, endMinute: 60 } }), 'daypart.days[1]'],
    ['no days', file({ daypart: { days: [], startMinute: 0, endMinute: 60 } }), 'daypart.days'],
    ['a repeated day', file({ daypart: { days: ['MON', 'MON'], startMinute: 0, endMinute: 60 } }), 'daypart.days[1]'],
    ['endMinute past 1440', file({ daypart: { days: ['MON'], startMinute: 1380, endMinute: 1500 } }), 'daypart.endMinute'],
    ['a daypart wrapping midnight', file({ daypart: { days: ['FRI'], startMinute: 1320, endMinute: 120 } }), 'daypart.endMinute'],
    ['an empty daypart', file({ daypart: { days: ['FRI'], startMinute: 600, endMinute: 600 } }), 'daypart.endMinute'],
    ['a negative startMinute', file({ daypart: { days: ['FRI'], startMinute: -1, endMinute: 600 } }), 'daypart.startMinute'],
    ['controlGroupBp above 10000', file({ controlGroupBp: 10001 }), 'controlGroupBp'],
    ['negative controlGroupBp', file({ controlGroupBp: -1 }), 'controlGroupBp'],
    ['negative minEligibleCents', file({ minEligibleCents: -5 }), 'minEligibleCents'],
    ['fractional minEligibleCents', file({ minEligibleCents: 2.5 }), 'minEligibleCents'],
    ['maxAwardsPerMember 0', file({ maxAwardsPerMember: 0 }), 'maxAwardsPerMember'],
    ['an empty exclusiveGroup', file({ exclusiveGroup: '' }), 'exclusiveGroup'],
    ['MULTIPLIER without extraMultiplierBp', file({ params: { categories: null } }), 'params.extraMultiplierBp'],
    ['MULTIPLIER with bonusPoints', file({ params: { extraMultiplierBp: 1, bonusPoints: 5 } }), 'params.bonusPoints'],
    ['NTH_VISIT without every', file({ type: 'NTH_VISIT', params: { bonusPoints: 5 } }), 'params.every'],
    ['NTH_VISIT every 0', file({ type: 'NTH_VISIT', params: { every: 0, bonusPoints: 5 } }), 'params.every'],
    ['every beyond an Avro int', file({ type: 'NTH_VISIT', params: { every: 2 ** 31, bonusPoints: 5 } }), 'params.every'],
    ['SPEND_THRESHOLD without bonusPoints', file({ type: 'SPEND_THRESHOLD', params: {} }), 'params.bonusPoints'],
    ['SPEND_THRESHOLD with categories', file({ type: 'SPEND_THRESHOLD', params: { bonusPoints: 1, categories: ['X'] } }), 'params.categories'],
    ['FIRST_ORDER bonus 0', file({ type: 'FIRST_ORDER', params: { bonusPoints: 0 } }), 'params.bonusPoints'],
    ['a string where a number belongs', file({ version: '3' }), 'version'],
  ];
  for (const [name, obj, path] of cases) test(`${name} → ${path || '(record)'}`, () => rejects(obj, path));
});

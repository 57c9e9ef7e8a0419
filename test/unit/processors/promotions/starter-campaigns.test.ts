// The starter campaigns shipped in programs/campaigns/ are valid and behave as their names say.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Campaign } from '../../../../avro/records.ts';
import { validateCampaign } from '../../../../processors/promotions/campaign-schema.ts';
import { evaluate, line, order, program } from './builders.ts';

const dir = fileURLToPath(new URL('../../../../programs/campaigns/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const starters: Campaign[] = files.map((f) => validateCampaign(JSON.parse(readFileSync(join(dir, f), 'utf8')), { program }));
const at = (iso: string): number => Date.parse(iso);

describe('starter campaigns', () => {
  test('every file validates and is named after its campaignId', () => {
    assert.ok(files.length >= 7, `only ${files.length} files`);
    files.forEach((f, i) => assert.equal(starters[i]?.campaignId, basename(f, '.json')));
  });

  test('cover every type, a tier-only audience and one exclusive group of two', () => {
    assert.deepEqual(new Set(starters.map((c) => c.type)), new Set(['MULTIPLIER', 'SPEND_THRESHOLD', 'NTH_VISIT', 'FIRST_ORDER']));
    assert.ok(starters.some((c) => c.tiers !== null && !c.tiers.includes('BRONZE')));
    const groups = starters.filter((c) => c.exclusiveGroup !== null).map((c) => c.exclusiveGroup);
    assert.ok(groups.length >= 2 && new Set(groups).size < groups.length, 'two campaigns share an exclusive group');
  });

  test('a first weekday app breakfast in Chicago earns the welcome and breakfast bonuses', () => {
    const o = order({
      memberId: 'm-starter-7', channel: 'APP', occurredAt: at('2026-03-11T12:15:00Z'), // Wed 07:15 CDT
      lines: [line('BREAKFAST', 599), line('COFFEE', 250)],
    });
    const result = evaluate(starters, { order: o, orderCountBefore: 0, tier: 'BRONZE' });
    const byId = Object.fromEntries(result.evaluations.map((e) => [e.campaignId, e]));
    assert.equal(byId['breakfast-app-2x']?.bonusPoints, 59);
    assert.equal(byId['welcome-bonus']?.bonusPoints, 500);
    assert.equal(byId['fifth-visit']?.reason, 'CHANNEL');
    assert.equal(byId['coffee-club']?.reason, 'TIER');
    assert.equal(byId['summer-drinks'], undefined, 'not in its window in March');
  });

  test('in summer a gold member gets only the larger beverage bonus', () => {
    const o = order({ memberId: 'm-starter-7', channel: 'DRIVE_THRU', occurredAt: at('2026-07-08T17:00:00Z'), lines: [line('COFFEE', 400), line('BEVERAGE', 300)] });
    const result = evaluate(starters, { order: o, tier: 'GOLD' });
    const beverage = result.evaluations.filter((e) => e.campaignId === 'coffee-club' || e.campaignId === 'summer-drinks');
    // coffee-club: 400 × 10 × 2 = 80; summer-drinks: 700 × 10 × 1 = 70.
    assert.deepEqual(beverage.map((e) => [e.campaignId, e.reason, e.bonusPoints]), [['coffee-club', null, 80], ['summer-drinks', 'STACKING', 0]]);
  });
});

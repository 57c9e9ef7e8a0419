// The program file: programs/default.json is RULES.md section 2; invalid programs name the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../engine/errors.ts';
import { loadProgram, parseProgram } from '../../../processors/program.ts';

test('programs/default.json is the program of RULES.md section 2', () => {
  const program = loadProgram();
  assert.deepEqual(
    [program.programId, program.version, program.currency, program.pointsPerUnit, program.pendingHours, program.inactivityExpiryDays],
    ['default', 1, 'USD', 10, 72, 180],
  );
  assert.deepEqual(program.tiers.map((t) => [t.name, t.minQualifyingCents, t.multiplierBp]),
    [['BRONZE', 0, 10000], ['SILVER', 30000, 12500], ['GOLD', 100000, 15000]]);
  assert.deepEqual(program.fraud, {
    velocityMaxOrders: 5, velocityWindowMinutes: 60, largeOrderCents: 50000, refundAbuseCount: 3,
    refundAbuseWindowDays: 7, sharedCardMembers: 3, sharedCardWindowHours: 24,
  });
});

const invalid: [string, (p: Record<string, unknown>) => void, RegExp][] = [
  ['a float where an integer belongs', (p) => { p.pointsPerUnit = 1.5; }, /pointsPerUnit/],
  ['a missing fraud threshold', (p) => { delete (p.fraud as Record<string, unknown>).largeOrderCents; }, /fraud\.largeOrderCents/],
  ['tiers out of order', (p) => { (p.tiers as unknown[]).reverse(); }, /tiers/],
  ['an unknown field', (p) => { p.pointsPerDollar = 10; }, /pointsPerDollar/],
  ['a currency that is not ISO 4217', (p) => { p.currency = 'usd'; }, /currency/],
];
for (const [name, mutate, message] of invalid) {
  test(`refused: ${name}`, () => {
    const program = structuredClone(loadProgram()) as unknown as Record<string, unknown>;
    mutate(program);
    assert.throws(() => parseProgram(program), (error: unknown) => error instanceof ConfigError && message.test(error.message));
  });
}

test('an unreadable file is a ConfigError naming it', () => {
  assert.throws(() => loadProgram('programs/does-not-exist.json'), /does-not-exist\.json/);
});

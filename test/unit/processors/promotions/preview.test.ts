import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderEvent } from '../../../../avro/records.ts';
import { CampaignPreview, parsePointCost } from '../../../../processors/promotions/preview.ts';
import { ValidationError } from '../../../../engine/errors.ts';
import { NOON_UTC, campaign, line, order, program } from './builders.ts';

const DAY = 86_400_000;
const welcome = campaign({ campaignId: 'welcome', type: 'FIRST_ORDER', params: { bonusPoints: 500 } });

function run(events: unknown[], options: Partial<ConstructorParameters<typeof CampaignPreview>[0]> = {}) {
  const preview = new CampaignPreview({ program, campaign: welcome, ignoreWindow: false, pointCostCents: '0.5', ...options });
  for (const e of events) preview.add(e);
  return preview.result();
}

/** The i-th order of a member, a day apart. */
function nthOrder(memberId: string, i: number, overrides: Partial<OrderEvent> = {}): OrderEvent {
  return order({ eventId: `${memberId}-e${i}`, orderId: `${memberId}-o${i}`, memberId, occurredAt: NOON_UTC + i * DAY, ...overrides });
}

describe('CampaignPreview', () => {
  test('counts orders, members reached, awards, points and their cost', () => {
    const events = [
      nthOrder('m-1', 0), nthOrder('m-1', 1), nthOrder('m-2', 0), nthOrder('m-3', 0),
      nthOrder('m-3', 0), // redelivered event
      nthOrder('m-3', 1, { orderId: 'm-3-o0' }), // second COMPLETED of an order
      nthOrder('m-4', 0, { currency: 'EUR' }),
      order({ eventId: 'g-1', orderId: 'g-1', memberId: null }),
      nthOrder('m-5', 0, { employee: true }),
    ];
    const report = run(events);
    assert.deepEqual(report.orders, {
      read: 9, rejected: { CURRENCY_MISMATCH: 1, DUPLICATE_ORDER: 1 }, duplicates: 1, guest: 1, employee: 1, refunds: 0, outsideRange: 0, outsideWindow: 0, evaluated: 4,
    });
    assert.deepEqual(report.members, { evaluated: 3, reached: 3, control: 0 });
    assert.deepEqual(report.outcomes, [
      { outcome: 'AWARDED', reason: null, count: 3 },
      { outcome: 'NOT_ELIGIBLE', reason: 'NOT_FIRST_ORDER', count: 1 },
    ]);
    assert.equal(report.awards, 3);
    assert.equal(report.bonusPoints, 1500);
    assert.equal(report.costCents, 750);
    assert.equal(report.assumptions.length, 3);
  });

  test('orders outside the window are not evaluated unless the window is ignored', () => {
    const future = { ...welcome, startsAt: NOON_UTC + 365 * DAY, endsAt: NOON_UTC + 400 * DAY };
    const outside = run([nthOrder('m-1', 0)], { campaign: future }).orders;
    assert.deepEqual([outside.evaluated, outside.outsideWindow], [0, 1]);
    const ignored = run([nthOrder('m-1', 0)], { campaign: future, ignoreWindow: true });
    assert.equal(ignored.awards, 1);
    assert.deepEqual(ignored.window, { startsAt: future.startsAt, endsAt: future.endsAt, ignored: true });
  });

  test('tiers follow the member\'s replayed spend, refunds included', () => {
    const silverOnly = campaign({ campaignId: 'silver', tiers: ['SILVER', 'GOLD'] });
    const big = { lines: [line('ENTREE', 30000)] };
    const refund = (i: number, refundCents: number): OrderEvent => ({
      ...nthOrder('m-1', 0), eventId: `r-${i}`, type: 'REFUNDED', lines: [], refundCents, occurredAt: NOON_UTC + (i + 0.5) * DAY,
    });
    const report = run([
      nthOrder('m-1', 0, big), // BRONZE before it; 300.00 of spend makes SILVER
      nthOrder('m-1', 1), // SILVER → awarded
      refund(1, 2000), // 310.00 − 20.00: spend drops below 300.00
      nthOrder('m-1', 2), // BRONZE again
      refund(2, 50000), // more than the order's total
      { ...refund(3, 1), orderId: 'nope' },
    ], { campaign: silverOnly });
    assert.deepEqual(report.outcomes, [
      { outcome: 'NOT_ELIGIBLE', reason: 'TIER', count: 2 },
      { outcome: 'AWARDED', reason: null, count: 1 },
    ]);
    assert.equal(report.orders.refunds, 1);
    assert.deepEqual(report.orders.rejected, { REFUND_EXCEEDS_TOTAL: 1, UNKNOWN_ORDER: 1 });
  });

  test('orders outside --from/--to build member state but are not evaluated', () => {
    const events = [nthOrder('m-1', 0), nthOrder('m-1', 1), nthOrder('m-2', 1), nthOrder('m-2', 3)];
    const report = run(events, { from: NOON_UTC + DAY, to: NOON_UTC + 3 * DAY });
    // m-1's first order is before the range, so its order in range is not a first order.
    assert.deepEqual(report.outcomes, [
      { outcome: 'AWARDED', reason: null, count: 1 },
      { outcome: 'NOT_ELIGIBLE', reason: 'NOT_FIRST_ORDER', count: 1 },
    ]);
    assert.equal(report.orders.outsideRange, 2);
    assert.deepEqual(report.range, { from: NOON_UTC + DAY, to: NOON_UTC + 3 * DAY });
  });

  test('control-group members are counted, and the cost rounds half up', () => {
    const control = { ...welcome, controlGroupBp: 10000 };
    const report = run([nthOrder('m-1', 0), nthOrder('m-2', 0)], { campaign: control });
    assert.deepEqual(report.members, { evaluated: 2, reached: 0, control: 2 });
    assert.equal(run([nthOrder('m-1', 0)], { pointCostCents: '0.001' }).costCents, 1); // 0.5 cents → 1
    assert.equal(run([nthOrder('m-1', 0)], { pointCostCents: '0.0009' }).costCents, 0); // 0.45 cents → 0
  });

  test('a record that is not an order event is a SCHEMA_VIOLATION, not a crash', () => {
    assert.deepEqual(run([{ hello: 'world' }, 'text', null]).orders.rejected, { SCHEMA_VIOLATION: 3 });
  });
});

describe('parsePointCost', () => {
  test('exact decimals in ten-thousandths of a cent', () => {
    assert.equal(parsePointCost('1'), 10_000n);
    assert.equal(parsePointCost('0.5'), 5_000n);
    assert.equal(parsePointCost('0.0001'), 1n);
    assert.equal(parsePointCost('12.25'), 122_500n);
  });
  for (const bad of ['', '-1', '0.00001', '1e3', '.5', '1.', 'abc']) {
    test(`${JSON.stringify(bad)} is refused`, () => {
      assert.throws(() => parsePointCost(bad), (err: unknown) => err instanceof ValidationError && err.path === '--point-cost-cents');
    });
  }
});

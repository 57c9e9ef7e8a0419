import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OrderEvent } from '../../../../avro/records.ts';
import { orderKey, takeOrders, TRAFFIC } from '../../../../cli/simulate/generator.ts';
import { localMinuteOfDay } from '../../../../cli/simulate/demand.ts';
import { fromPlainJsonText } from '../../../../avro/json.ts';
import { schemaFor } from '../../../../avro/schemas.ts';
import { validateOrderEvent } from '../../../../processors/member/validate.ts';

const START = Date.parse('2026-03-02T00:00:00Z');
const events = takeOrders({ seed: 7, members: 500, start: START }, 30_000);
const completed = events.filter((e) => e.type === 'COMPLETED');
const refunds = events.filter((e) => e.type === 'REFUNDED');

describe('determinism', () => {
  test('the same seed gives byte-identical output', () => {
    const a = takeOrders({ seed: 'demo', members: 200, start: START }, 3000);
    const b = takeOrders({ seed: 'demo', members: 200, start: START }, 3000);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });

  test('another seed gives other events and other ids', () => {
    const a = takeOrders({ seed: 1, members: 200, start: START }, 200);
    const b = takeOrders({ seed: 2, members: 200, start: START }, 200);
    assert.notEqual(JSON.stringify(a), JSON.stringify(b));
    const idsA = new Set(a.map((e) => e.eventId));
    assert.ok(b.every((e) => !idsA.has(e.eventId)));
  });

  test('event time starts at --start and never goes back', () => {
    assert.ok((events[0]?.occurredAt ?? 0) >= START);
    for (let i = 1; i < events.length; i++) {
      assert.ok((events[i] as OrderEvent).occurredAt >= (events[i - 1] as OrderEvent).occurredAt, `event ${i} goes back in time`);
    }
  });
});

describe('distributions', () => {
  test('orders peak at breakfast, lunch and dinner in store local time', () => {
    const byHour = new Array<number>(24).fill(0);
    for (const e of completed) {
      const hour = Math.floor(localMinuteOfDay(e.storeTimeZone, e.occurredAt) / 60);
      byHour[hour] = (byHour[hour] ?? 0) + 1;
    }
    const at = (h: number): number => byHour[h] ?? 0;
    assert.ok(at(12) > 2.5 * at(15), `lunch ${at(12)} vs mid-afternoon ${at(15)}`);
    assert.ok(at(8) > 1.8 * at(10), `breakfast ${at(8)} vs mid-morning ${at(10)}`);
    assert.ok(at(18) > 2 * at(15), `dinner ${at(18)} vs mid-afternoon ${at(15)}`);
    assert.ok(at(12) > at(18) && at(18) > at(8), 'lunch is the biggest peak, then dinner, then breakfast');
    const night = at(0) + at(1) + at(2) + at(3) + at(4);
    assert.ok(night < 0.02 * completed.length, `night orders ${night}`);
  });

  test('member visits are skewed: few heavy users, many light ones', () => {
    const visits = new Map<string, number>();
    for (const e of completed) if (e.memberId) visits.set(e.memberId, (visits.get(e.memberId) ?? 0) + 1);
    const counts = [...visits.values()].sort((a, b) => b - a);
    const total = counts.reduce((s, c) => s + c, 0);
    const top10 = counts.slice(0, Math.ceil(counts.length / 10)).reduce((s, c) => s + c, 0);
    assert.ok(top10 / total > 0.4, `top 10% of members make ${(100 * top10 / total).toFixed(1)}% of visits`);
    const median = counts[Math.floor(counts.length / 2)] ?? 0;
    assert.ok(median < total / counts.length / 2, `median ${median} is far below the mean`);
  });

  test('shares of guests, refunds, redemptions, employees and channels', () => {
    const guests = completed.filter((e) => e.memberId === null).length / completed.length;
    assert.ok(Math.abs(guests - TRAFFIC.guestShare) < 0.02, `guest share ${guests}`);
    const refundShare = refunds.length / completed.length;
    assert.ok(refundShare > 0.025 && refundShare < 0.06, `refund share ${refundShare}`);
    const partial = refunds.filter((r) => r.refundCents < r.totalCents).length;
    assert.ok(partial > 0.2 * refunds.length && partial < 0.6 * refunds.length, `partial refunds ${partial}/${refunds.length}`);
    assert.ok(completed.some((e) => e.redemptions.length > 0), 'some orders redeem rewards');
    const employees = completed.filter((e) => e.employee).length / completed.length;
    assert.ok(employees > 0 && employees < 0.05, `employee share ${employees}`);
    const channels = new Set(completed.map((e) => e.channel));
    assert.deepEqual([...channels].sort(), ['APP', 'DELIVERY', 'DRIVE_THRU', 'IN_STORE', 'KIOSK', 'WEB']);
    assert.ok(completed.filter((e) => e.channel !== 'DELIVERY').every((e) => e.tipCents === 0), 'tips only on delivery');
    assert.ok(completed.some((e) => e.tipCents > 0));
    const zones = new Set(completed.map((e) => e.storeTimeZone));
    assert.ok([...zones].filter((z) => z.startsWith('America/')).length >= 4, 'several US zones');
    assert.ok([...zones].some((z) => !z.startsWith('America/') && !z.startsWith('Pacific/')), 'one store abroad');
  });

  test('fraud patterns appear in small numbers', () => {
    assert.ok(completed.some((e) => e.totalCents >= 50_000), 'a large order');
    const large = completed.filter((e) => e.totalCents >= 50_000).length;
    assert.ok(large < 0.01 * completed.length);
    assert.ok(hasVelocityBurst(completed), 'a member with more than 5 orders within 60 minutes');
    assert.ok(hasSharedCard(completed), 'a card used by 3+ members within 24 hours');
    assert.ok(hasRefundAbuse(refunds), 'a member with 3+ refunds within 7 days');
  });
});

function hasVelocityBurst(orders: OrderEvent[]): boolean {
  const times = new Map<string, number[]>();
  for (const e of orders) if (e.memberId) times.set(e.memberId, [...(times.get(e.memberId) ?? []), e.occurredAt]);
  return [...times.values()].some((ts) => ts.some((t, i) => (ts[i + 5] ?? Infinity) - t < 3_600_000));
}

function hasSharedCard(orders: OrderEvent[]): boolean {
  const uses = new Map<string, OrderEvent[]>();
  for (const e of orders) {
    const fp = e.payment.cardFingerprint;
    if (fp && e.memberId) uses.set(fp, [...(uses.get(fp) ?? []), e]);
  }
  return [...uses.values()].some((list) => list.some((first) =>
    new Set(list.filter((e) => e.occurredAt >= first.occurredAt && e.occurredAt - first.occurredAt < 86_400_000).map((e) => e.memberId)).size >= 3));
}

function hasRefundAbuse(refundEvents: OrderEvent[]): boolean {
  const times = new Map<string, number[]>();
  for (const e of refundEvents) if (e.memberId) times.set(e.memberId, [...(times.get(e.memberId) ?? []), e.occurredAt]);
  return [...times.values()].some((ts) => ts.some((t, i) => (ts[i + 2] ?? Infinity) - t < 7 * 86_400_000));
}

describe('validity (RULES.md section 1)', () => {
  const zones = new Set(Intl.supportedValuesOf('timeZone'));

  test('every event passes the member processor validation', () => {
    for (const e of events) {
      const result = validateOrderEvent(JSON.parse(JSON.stringify(e)), 'USD');
      assert.ok(result.ok, `${e.eventId}: ${result.ok ? '' : `${result.reason} ${result.message}`}`);
    }
  });

  test('every event is a valid OrderEvent in plain JSON and in Avro', () => {
    const type = schemaFor('loyalty.orders.OrderEvent');
    for (const e of events.slice(0, 3000)) {
      const avro = fromPlainJsonText('loyalty.orders.OrderEvent', JSON.stringify(e));
      assert.ok(type.isValid(avro), e.eventId);
    }
  });

  test('every event is well-formed and its amounts add up', () => {
    const eventIds = new Set<string>();
    for (const e of events) {
      assert.ok(!eventIds.has(e.eventId), `duplicate eventId ${e.eventId}`);
      eventIds.add(e.eventId);
      assert.match(e.eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(e.currency, 'USD');
      assert.ok(zones.has(e.storeTimeZone), `zone ${e.storeTimeZone}`);
      assert.ok(Number.isInteger(e.occurredAt));
      for (const cents of [e.discountCents, e.taxCents, e.tipCents, e.totalCents, e.refundCents]) {
        assert.ok(Number.isSafeInteger(cents) && cents >= 0, `${e.eventId}: cents ${cents}`);
      }
      if (e.type === 'COMPLETED') {
        assert.ok(e.lines.length >= 1 && e.lines.length <= 8, `${e.lines.length} lines`);
        for (const l of e.lines) {
          assert.ok(Number.isInteger(l.quantity) && l.quantity >= 1);
          assert.equal(l.lineTotalCents, l.quantity * l.unitPriceCents);
        }
        const sum = e.lines.reduce((s, l) => s + l.lineTotalCents, 0);
        assert.equal(e.totalCents, sum - e.discountCents + e.taxCents + e.tipCents);
        assert.equal(e.refundCents, 0);
        for (const r of e.redemptions) assert.ok(Number.isInteger(r.points) && r.points > 0);
        if (e.memberId === null) assert.equal(e.redemptions.length, 0);
      } else {
        assert.equal(e.lines.length, 0);
        assert.equal(e.redemptions.length, 0);
        assert.ok(e.refundCents > 0);
      }
    }
  });

  test('refunds name an earlier completed order of the same key and never exceed it', () => {
    const orders = new Map<string, { key: string; total: number; refunded: number; at: number }>();
    for (const e of events) {
      if (e.type === 'COMPLETED') {
        assert.ok(!orders.has(e.orderId), `orderId ${e.orderId} completed twice`);
        orders.set(e.orderId, { key: orderKey(e), total: e.totalCents, refunded: 0, at: e.occurredAt });
        continue;
      }
      const order = orders.get(e.orderId);
      assert.ok(order, `refund of unknown order ${e.orderId}`);
      assert.equal(orderKey(e), order.key, 'refund keyed like its order');
      assert.ok(e.occurredAt > order.at);
      assert.equal(e.totalCents, order.total, 'refund copies the order totals');
      order.refunded += e.refundCents;
      assert.ok(order.refunded <= order.total, `over-refund of ${e.orderId}`);
    }
  });
});

// The traffic model of `loyalty simulate`: an endless, deterministic stream of order events in
// event-time order. Arrivals follow each store's local meal-time demand (a non-homogeneous
// Poisson process, sampled by thinning); members visit with Zipf-skewed frequency; a few
// percent of orders are refunded later; a small share of traffic follows fraud patterns
// (shared card rings, velocity bursts, catering-size orders, refund abuse).
// Nothing here reads the wall clock: event time starts at `start` and only moves forward.
import type { Channel, OrderEvent, Payment } from '../../avro/records.ts';
import { cateringBasket, regularBasket, type Basket } from './basket.ts';
import { intensityAt, isBreakfastTime, localMinuteOfDay, MAX_INTENSITY } from './demand.ts';
import { OrderBook, type PlacedOrder } from './orders.ts';
import { createPopulation, type Member, type Population } from './population.ts';
import { createRng, seedFrom, type Rng } from './prng.ts';
import { IntentQueue } from './schedule.ts';
import { GUEST_CHANNELS, MEMBER_CHANNELS, STORES, type Store } from './world.ts';

export interface SimulationOptions {
  seed: string | number;
  members: number;
  /** Event time of the start, epoch millis. */
  start: number;
}

/** Shares of traffic; exported so tests check the generated mix against the model. */
export const TRAFFIC = {
  guestShare: 0.28,
  refundShare: 0.035,
  fullRefundShare: 0.6,
  redeemWhenAffordable: 0.35,
  visitsPerMemberPerDay: 0.35,
  velocityBurst: 0.002,
  sharedCardRing: 0.0015,
  largeOrder: 0.002,
  refundAbuse: 0.001,
} as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Average of intensityAt over a day, to turn "orders per day" into a candidate arrival rate. */
const MEAN_INTENSITY = (() => {
  let sum = 0;
  for (let m = 0; m < 1440; m++) sum += intensityAt(m);
  return sum / 1440;
})();

export function* simulateOrders(options: SimulationOptions): Generator<OrderEvent, never, undefined> {
  if (!Number.isInteger(options.members) || options.members < 1) throw new RangeError('members must be a positive integer');
  const seed = seedFrom(options.seed);
  const rng = createRng(seed);
  const population = createPopulation(rng, options.members);
  const book = new OrderBook(rng, `ord-${seed.toString(16).padStart(8, '0')}`);
  const queue = new IntentQueue<OrderEvent>();
  const totalSize = STORES.reduce((sum, s) => sum + s.size, 0);
  const ordersPerDay = Math.max(48, (options.members * TRAFFIC.visitsPerMemberPerDay) / (1 - TRAFFIC.guestShare));
  // Candidates arrive at the peak rate; each is kept with probability intensity / peak.
  const meanCandidateGapMs = (DAY * MEAN_INTENSITY) / (ordersPerDay * MAX_INTENSITY);
  const sim: Sim = { rng, population, book, queue };
  let time = options.start;

  for (;;) {
    const candidate = time + Math.max(1, Math.round(rng.exponential(meanCandidateGapMs)));
    while (queue.peekTime() <= candidate) {
      const intent = queue.pop();
      if (!intent) break;
      const event = intent.run(intent.at);
      if (event) yield event;
    }
    time = candidate;
    const weights = STORES.map((store) => [store, store.size * intensityAt(localMinuteOfDay(store.timeZone, time))] as const);
    const demand = weights.reduce((sum, [, w]) => sum + w, 0);
    if (rng.next() * totalSize * MAX_INTENSITY >= demand) continue;
    yield regularOrder(sim, rng.weighted(weights), time);
  }
}

interface Sim {
  rng: Rng;
  population: Population;
  book: OrderBook;
  queue: IntentQueue<OrderEvent>;
}

function regularOrder(sim: Sim, store: Store, at: number): OrderEvent {
  const { rng } = sim;
  const member = rng.chance(TRAFFIC.guestShare) ? null : sim.population.pickVisitor(rng);
  const channel = rng.weighted(member ? MEMBER_CHANNELS : GUEST_CHANNELS);
  const large = rng.chance(TRAFFIC.largeOrder);
  const basket = large ? cateringBasket(rng, channel) : regularBasket(rng, isBreakfastTime(localMinuteOfDay(store.timeZone, at)), channel);
  const placed = place(sim, store, at, channel, member, basket, paymentFor(rng, member));
  if (member && !member.employee) maybeStartFraudPattern(sim, store, at, member);
  return placed.event;
}

/** Completes an order and maybe schedules its refund. */
function place(sim: Sim, store: Store, at: number, channel: Channel, member: Member | null, basket: Basket, payment: Payment): PlacedOrder {
  const { rng } = sim;
  const deviceId = channel === 'KIOSK' ? `kiosk-${store.storeId}-1`
    : member && (channel === 'APP' || channel === 'WEB') ? member.deviceId : null;
  const placed = sim.book.complete({ store, at, channel, member, basket, payment, deviceId }, rng.chance(TRAFFIC.redeemWhenAffordable));
  if (rng.chance(TRAFFIC.refundShare)) {
    const full = rng.chance(TRAFFIC.fullRefundShare);
    const delay = Math.min(10 * DAY, Math.max(5 * MINUTE, Math.round(rng.exponential(DAY))));
    sim.queue.add(at + delay, (when) => sim.book.refund(placed, when, full));
  }
  return placed;
}

function paymentFor(rng: Rng, member: Member | null): Payment {
  const method = rng.weighted([['CARD', 55], ['WALLET', 18], ['CASH', 17], ['GIFT_CARD', 10]] as const);
  if (method === 'CASH' || method === 'GIFT_CARD') return { method, cardFingerprint: null };
  return { method, cardFingerprint: member ? member.cardFingerprint : `fp-${rng.hex(12)}` };
}

function maybeStartFraudPattern(sim: Sim, store: Store, at: number, member: Member): void {
  const { rng } = sim;
  const r = rng.next();
  let threshold = TRAFFIC.velocityBurst;
  if (r < threshold) return velocityBurst(sim, store, at, member);
  threshold += TRAFFIC.sharedCardRing;
  if (r < threshold) return sharedCardRing(sim, store, at);
  threshold += TRAFFIC.refundAbuse;
  if (r < threshold) return refundAbuse(sim, store, at, member);
}

/** 6–8 more orders by the same member within ~45 minutes (VELOCITY). */
function velocityBurst(sim: Sim, store: Store, at: number, member: Member): void {
  const { rng } = sim;
  let when = at;
  const count = rng.int(6, 8);
  for (let i = 0; i < count; i++) {
    when += rng.int(2, 6) * MINUTE;
    sim.queue.add(when, (t) => place(sim, store, t, 'APP', member, regularBasket(rng, false, 'APP'), paymentFor(rng, member)).event);
  }
}

/** One card used by 3–5 different members within a few hours (SHARED_CARD). */
function sharedCardRing(sim: Sim, store: Store, at: number): void {
  const { rng, population } = sim;
  const card: Payment = { method: 'CARD', cardFingerprint: `fp-ring-${rng.hex(8)}` };
  const wanted = Math.min(population.members.length, rng.int(3, 5));
  const ring = new Set<Member>();
  while (ring.size < wanted) ring.add(rng.pick(population.members));
  let when = at;
  for (const member of ring) {
    when += rng.int(10, 120) * MINUTE;
    sim.queue.add(when, (t) => place(sim, store, t, 'IN_STORE', member, regularBasket(rng, false, 'IN_STORE'), card).event);
  }
}

/** 3–4 orders over two days, each refunded in full within the week (REFUND_ABUSE). */
function refundAbuse(sim: Sim, store: Store, at: number, member: Member): void {
  const { rng } = sim;
  const count = rng.int(3, 4);
  for (let i = 0; i < count; i++) {
    const when = at + rng.int(1, 48) * HOUR;
    sim.queue.add(when, (t) => {
      const placed = place(sim, store, t, 'DELIVERY', member, regularBasket(rng, false, 'DELIVERY'), paymentFor(rng, member));
      sim.queue.add(t + rng.int(1, 72) * HOUR, (rt) => sim.book.refund(placed, rt, true));
      return placed.event;
    });
  }
}

/** The Kafka key of an order event (RULES.md 1): memberId, or orderId for guests. */
export function orderKey(event: OrderEvent): string {
  return event.memberId ?? event.orderId;
}

/** The first `count` events of the simulation. */
export function takeOrders(options: SimulationOptions, count: number): OrderEvent[] {
  const out: OrderEvent[] = [];
  if (count <= 0) return out;
  for (const event of simulateOrders(options)) {
    out.push(event);
    if (out.length >= count) break;
  }
  return out;
}

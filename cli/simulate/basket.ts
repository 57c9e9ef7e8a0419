// What is ordered: 1–8 lines by daypart, optional coupon discount, sales tax, delivery tips.
// All money is integer cents and the totals follow RULES.md section 1 exactly:
// lineTotal = quantity × unitPrice, total = Σ lines − discount + tax + tip.
import type { Channel, OrderLine } from '../../avro/records.ts';
import type { Rng } from './prng.ts';
import { itemsOf, TAX_BP, type Category, type MenuItem } from './world.ts';

export interface Basket {
  lines: OrderLine[];
  discountCents: number;
  taxCents: number;
  tipCents: number;
  totalCents: number;
}

function line(item: MenuItem, quantity: number): OrderLine {
  return {
    sku: item.sku,
    category: item.category,
    quantity,
    unitPriceCents: item.unitPriceCents,
    lineTotalCents: quantity * item.unitPriceCents,
  };
}

const BREAKFAST_MIX: readonly (readonly [Category, number])[] = [['BREAKFAST', 5], ['COFFEE', 4], ['BEVERAGE', 1], ['SIDE', 1]];
const MEAL_MIX: readonly (readonly [Category, number])[] = [['ENTREE', 5], ['SIDE', 4], ['BEVERAGE', 3], ['DESSERT', 1.5], ['COFFEE', 0.5]];
const LINE_COUNT: readonly (readonly [number, number])[] = [[1, 18], [2, 26], [3, 22], [4, 14], [5, 9], [6, 6], [7, 3], [8, 2]];

/** A regular basket for the daypart; about 1% are a gift card purchase. */
export function regularBasket(rng: Rng, breakfast: boolean, channel: Channel): Basket {
  if (rng.chance(0.01)) return priced(rng, [line(rng.pick(itemsOf('GIFT_CARD')), 1)], channel, false);
  const lineCount = rng.weighted(LINE_COUNT);
  const bySku = new Map<string, OrderLine>();
  for (let i = 0; i < lineCount; i++) {
    const item = rng.pick(itemsOf(rng.weighted(breakfast ? BREAKFAST_MIX : MEAL_MIX)));
    const quantity = rng.weighted([[1, 80], [2, 15], [3, 5]] as const);
    const existing = bySku.get(item.sku);
    bySku.set(item.sku, line(item, (existing?.quantity ?? 0) + quantity));
  }
  return priced(rng, [...bySku.values()], channel, true);
}

/** A catering-size order (large-order fraud rule territory: well over $500). */
export function cateringBasket(rng: Rng, channel: Channel): Basket {
  const entree = rng.pick(itemsOf('ENTREE'));
  const side = rng.pick(itemsOf('SIDE'));
  const drink = rng.pick(itemsOf('BEVERAGE'));
  const people = rng.int(60, 90);
  return priced(rng, [line(entree, people), line(side, people), line(drink, people)], channel, false);
}

function priced(rng: Rng, lines: OrderLine[], channel: Channel, couponAllowed: boolean): Basket {
  const subtotal = lines.reduce((sum, l) => sum + l.lineTotalCents, 0);
  const discountCents = couponAllowed && rng.chance(0.12) ? Math.min(subtotal, rng.pick([100, 200, 300, 500])) : 0;
  const taxCents = Math.floor(((subtotal - discountCents) * TAX_BP) / 10_000);
  const tipCents = channel === 'DELIVERY' ? rng.pick([0, 100, 200, 300, 500]) : 0;
  return { lines, discountCents, taxCents, tipCents, totalCents: subtotal - discountCents + taxCents + tipCents };
}

/** Eligible spend as RULES.md defines it (gift cards excluded), used to estimate points. */
export function eligibleCents(basket: Basket): number {
  const spend = basket.lines.filter((l) => l.category !== 'GIFT_CARD').reduce((sum, l) => sum + l.lineTotalCents, 0);
  return Math.max(0, spend - basket.discountCents);
}

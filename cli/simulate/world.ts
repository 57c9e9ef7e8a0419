// The simulated chain: stores across US time zones (and one abroad), a QSR menu by category,
// channels and rewards. Plain data, so the traffic model reads as a description of the chain.
import type { Channel } from '../../avro/records.ts';

export interface Store {
  storeId: string;
  timeZone: string;
  /** Relative traffic of the store (a busy urban store is 1.5, a small one 0.6). */
  size: number;
}

export const STORES: readonly Store[] = [
  { storeId: 's-nyc-01', timeZone: 'America/New_York', size: 1.5 },
  { storeId: 's-nyc-02', timeZone: 'America/New_York', size: 1.2 },
  { storeId: 's-bos-01', timeZone: 'America/New_York', size: 0.8 },
  { storeId: 's-chi-01', timeZone: 'America/Chicago', size: 1.3 },
  { storeId: 's-dal-01', timeZone: 'America/Chicago', size: 1.0 },
  { storeId: 's-den-01', timeZone: 'America/Denver', size: 0.7 },
  { storeId: 's-phx-01', timeZone: 'America/Phoenix', size: 0.8 },
  { storeId: 's-lax-01', timeZone: 'America/Los_Angeles', size: 1.4 },
  { storeId: 's-sea-01', timeZone: 'America/Los_Angeles', size: 0.7 },
  { storeId: 's-hnl-01', timeZone: 'Pacific/Honolulu', size: 0.4 },
  { storeId: 's-lon-01', timeZone: 'Europe/London', size: 0.6 },
];

export type Category = 'BREAKFAST' | 'ENTREE' | 'SIDE' | 'BEVERAGE' | 'COFFEE' | 'DESSERT' | 'GIFT_CARD';

export interface MenuItem {
  sku: string;
  category: Category;
  unitPriceCents: number;
}

export const MENU: readonly MenuItem[] = [
  { sku: 'BRK-SANDWICH', category: 'BREAKFAST', unitPriceCents: 449 },
  { sku: 'BRK-BURRITO', category: 'BREAKFAST', unitPriceCents: 399 },
  { sku: 'HASH-BROWN', category: 'BREAKFAST', unitPriceCents: 199 },
  { sku: 'PANCAKES', category: 'BREAKFAST', unitPriceCents: 549 },
  { sku: 'BGR-CLASSIC', category: 'ENTREE', unitPriceCents: 699 },
  { sku: 'BGR-DOUBLE', category: 'ENTREE', unitPriceCents: 899 },
  { sku: 'CHK-SANDWICH', category: 'ENTREE', unitPriceCents: 749 },
  { sku: 'NUGGETS-10', category: 'ENTREE', unitPriceCents: 599 },
  { sku: 'SALAD', category: 'ENTREE', unitPriceCents: 799 },
  { sku: 'FRIES-M', category: 'SIDE', unitPriceCents: 299 },
  { sku: 'FRIES-L', category: 'SIDE', unitPriceCents: 399 },
  { sku: 'ONION-RINGS', category: 'SIDE', unitPriceCents: 349 },
  { sku: 'SODA-M', category: 'BEVERAGE', unitPriceCents: 199 },
  { sku: 'SODA-L', category: 'BEVERAGE', unitPriceCents: 249 },
  { sku: 'OJ', category: 'BEVERAGE', unitPriceCents: 300 },
  { sku: 'COFFEE-M', category: 'COFFEE', unitPriceCents: 250 },
  { sku: 'LATTE', category: 'COFFEE', unitPriceCents: 429 },
  { sku: 'ICED-COFFEE', category: 'COFFEE', unitPriceCents: 349 },
  { sku: 'SHAKE', category: 'DESSERT', unitPriceCents: 449 },
  { sku: 'COOKIE', category: 'DESSERT', unitPriceCents: 149 },
  { sku: 'SUNDAE', category: 'DESSERT', unitPriceCents: 299 },
  { sku: 'GIFT-25', category: 'GIFT_CARD', unitPriceCents: 2500 },
  { sku: 'GIFT-50', category: 'GIFT_CARD', unitPriceCents: 5000 },
];

export function itemsOf(category: Category): MenuItem[] {
  return MENU.filter((item) => item.category === category);
}

/** Channel mix of member orders; guests never order in the app. */
export const MEMBER_CHANNELS: readonly (readonly [Channel, number])[] = [
  ['IN_STORE', 20], ['DRIVE_THRU', 28], ['KIOSK', 10], ['WEB', 6], ['APP', 26], ['DELIVERY', 10],
];
export const GUEST_CHANNELS: readonly (readonly [Channel, number])[] = [
  ['IN_STORE', 30], ['DRIVE_THRU', 40], ['KIOSK', 15], ['WEB', 5], ['DELIVERY', 10],
];

export interface Reward {
  rewardId: string;
  points: number;
}

export const REWARDS: readonly Reward[] = [
  { rewardId: 'rw-free-coffee', points: 300 },
  { rewardId: 'rw-free-fries', points: 400 },
  { rewardId: 'rw-free-burger', points: 900 },
];

/** Program constants the simulator needs to estimate a member's spendable points. */
export const POINTS_PER_DOLLAR = 10;
export const PENDING_MS = 72 * 3600_000;
/** Sales tax in basis points, applied to the discounted subtotal. */
export const TAX_BP = 800;

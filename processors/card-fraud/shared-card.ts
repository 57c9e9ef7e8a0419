// The SHARED_CARD rule (RULES.md 5 and 6.11) over one card's recent uses. A use is an accepted
// COMPLETED order with this card fingerprint; guests are uses but add no member. The rule fires
// on every use while at least sharedCardMembers distinct members used the card in (t − window, t].
//
// Uses of one card come from several member partitions, so they can reach this processor out of
// event-time order. A use that arrives late can complete the window of a later use that is already
// stored: such uses are checked again, and each use fires at most once (its signal id derives from
// its eventId), so the signals in the end do not depend on the arrival order. How late a use may
// be is not bounded by time: a backlog or a replay lets one member partition run months ahead of
// another. So a card keeps every use of the last two windows and, beyond that, its newest
// RETAINED_USES uses whatever their age; a late use is matched against what is kept.
import type { OrderEvent, Program } from '../../avro/records.ts';

export interface CardUse {
  eventId: string;
  orderId: string;
  memberId: string | null;
  /** Absent in uses stored before stores were recorded. */
  storeId?: string | null;
  occurredAt: number;
  /** True once this use fired SHARED_CARD. */
  fired?: boolean;
}

export interface SharedCardFiring {
  use: CardUse;
  /** The distinct members in the use's window, sorted. */
  members: string[];
}

export interface SharedCardResult {
  /** The uses to keep: those that can still be inside the window of a later use. */
  uses: CardUse[];
  /** The new use if it fires, then stored later uses that fire now, by (occurredAt, eventId). */
  firings: SharedCardFiring[];
  /** False when this eventId was already counted (a redelivery): nothing fires. */
  counted: boolean;
}

const HOUR = 3_600_000;

/** Uses a card keeps beyond its last two windows, so late uses of a backlog still find theirs. */
export const RETAINED_USES = 128;

export function useOf(order: OrderEvent): CardUse {
  return { eventId: order.eventId, orderId: order.orderId, memberId: order.memberId, storeId: order.storeId, occurredAt: order.occurredAt };
}

function membersInWindow(uses: CardUse[], t: number, width: number): Set<string> {
  const members = new Set<string>();
  for (const u of uses) {
    if (u.memberId !== null && u.occurredAt > t - width && u.occurredAt <= t) members.add(u.memberId);
  }
  return members;
}

function byTimeThenEvent(a: CardUse, b: CardUse): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt - b.occurredAt;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

export function recordUse(previous: CardUse[], use: CardUse, program: Program): SharedCardResult {
  const width = program.fraud.sharedCardWindowHours * HOUR;
  if (previous.some((u) => u.eventId === use.eventId)) return { uses: previous, firings: [], counted: false };
  const added: CardUse = { ...use };
  const all = [...previous.map((u) => ({ ...u })), added];
  // The new use lies inside the window of every stored use in [t, t + window): those may fire now.
  const later = all
    .filter((u) => u !== added && u.fired !== true && u.occurredAt >= added.occurredAt && u.occurredAt < added.occurredAt + width)
    .sort(byTimeThenEvent);
  const firings: SharedCardFiring[] = [];
  for (const candidate of [added, ...later]) {
    const members = membersInWindow(all, candidate.occurredAt, width);
    if (members.size < program.fraud.sharedCardMembers) continue;
    candidate.fired = true;
    firings.push({ use: candidate, members: [...members].sort() });
  }
  const newest = Math.max(...all.map((u) => u.occurredAt));
  const byRecency = [...all].sort((a, b) => byTimeThenEvent(b, a));
  const keep = new Set(byRecency.slice(0, RETAINED_USES));
  const uses = all.filter((u) => keep.has(u) || u.occurredAt > newest - 2 * width);
  return { uses, firings, counted: true };
}

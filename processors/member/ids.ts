// Deterministic ids (RULES.md 3 and 6.18): derived from what caused the record and its position
// among that cause's outputs, never from randomness or the clock, so a replay reproduces them.

/** Timer names: ties at equal dueAt fire in name order, so activations ("1:") precede expiry ("2:"), then by orderId. */
export const ACTIVATION_TIMER_PREFIX = '1:act:';
export const EXPIRY_TIMER = '2:exp';

export function activationTimerName(orderId: string): string {
  return ACTIVATION_TIMER_PREFIX + orderId;
}

/** The cause of an order event's outputs: its eventId (unique per event). */
export function eventSource(eventId: string): string {
  return eventId;
}

export function activationSource(memberId: string, orderId: string): string {
  return `${memberId}/${orderId}/activate`;
}

/** The expiry timer fires again after later activity, so its due time is part of its identity. */
export function expirySource(memberId: string, dueAt: number): string {
  return `${memberId}/expire/${dueAt}`;
}

export function entryId(source: string, position: number): string {
  return `${source}/L${position}`;
}

export function signalId(source: string, position: number): string {
  return `${source}/S${position}`;
}

export function decisionId(source: string): string {
  return `${source}/D`;
}

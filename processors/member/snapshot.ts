// Member snapshots (RULES.md 3, 6.5, 6.13): tier and qualifying spend as of the change's event
// time, including what was just applied. A snapshot is emitted only when one of its fields changed
// by the cause being applied (both sides evaluated at the same time, so the mere passing of months
// never emits one).
import type { MemberSnapshot, Program } from '../../avro/records.ts';
import { qualifyingSpend, tierFor } from './accrual.ts';
import type { MemberCore } from './state.ts';

export function snapshotAt(memberId: string, core: MemberCore, program: Program, t: number): MemberSnapshot {
  const qualifyingSpendCents = qualifyingSpend(core.buckets, t);
  return {
    memberId,
    tier: tierFor(program, qualifyingSpendCents).name,
    pendingPoints: core.pending,
    availablePoints: core.available,
    heldPoints: core.held,
    lifetimeEarnedPoints: core.lifetimeEarned,
    qualifyingSpendCents,
    orderCount: core.orderCount,
    lastActivityAt: core.lastActivityAt,
    updatedAt: t,
  };
}

/** The snapshot after the change, or null when no field other than updatedAt differs. */
export function changedSnapshot(before: MemberSnapshot, after: MemberSnapshot): MemberSnapshot | null {
  const fields = Object.keys(after) as (keyof MemberSnapshot)[];
  return fields.some((field) => field !== 'updatedAt' && before[field] !== after[field]) ? after : null;
}

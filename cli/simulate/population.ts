// Who orders: members with a Zipf-skewed visit frequency (a few regulars, many occasional
// visitors), each with their own payment card and phone, a few of them employees.
import type { Rng } from './prng.ts';

export interface Member {
  readonly memberId: string;
  readonly cardFingerprint: string;
  readonly deviceId: string;
  employee: boolean;
}

export interface Population {
  members: readonly Member[];
  /** Picks a member, heavy users far more often than light ones. */
  pickVisitor(rng: Rng): Member;
}

/** Zipf exponent of visits per member: ~1 gives the classic "20% of members make most visits". */
const ZIPF_EXPONENT = 1.0;
const EMPLOYEE_SHARE = 0.02;

export function createPopulation(rng: Rng, count: number): Population {
  const members: Member[] = [];
  for (let i = 1; i <= count; i++) {
    members.push({
      memberId: `m-${String(i).padStart(6, '0')}`,
      cardFingerprint: `fp-${rng.hex(12)}`,
      deviceId: `dev-${rng.hex(10)}`,
      employee: false,
    });
  }
  // Popularity rank is shuffled so heavy users are not simply the lowest ids.
  const ranks = members.map((_, i) => i);
  for (let i = ranks.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const a = ranks[i] as number;
    ranks[i] = ranks[j] as number;
    ranks[j] = a;
  }
  // Employees buy for themselves now and then; none of them is among the heaviest users.
  for (let i = 0; i < count; i++) {
    if ((ranks[i] as number) >= count / 10 && rng.chance(EMPLOYEE_SHARE)) (members[i] as Member).employee = true;
  }
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += 1 / Math.pow((ranks[i] as number) + 1, ZIPF_EXPONENT);
    cumulative.push(total);
  }
  return {
    members,
    pickVisitor(r: Rng): Member {
      const target = r.next() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cumulative[mid] as number) > target) hi = mid;
        else lo = mid + 1;
      }
      return members[lo] as Member;
    },
  };
}

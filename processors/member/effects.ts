// Writers of a member's outputs for one cause (an event, a signal, a command or a timer): every
// ledger entry updates the balances it moves, so "a balance is the sum of its deltas" holds by
// construction, and every record gets its position-derived id.
import type { FraudSignal, LedgerEntry, LedgerKind } from '../../avro/records.ts';
import { entryId, signalId } from './ids.ts';
import type { MemberCore } from './state.ts';

export interface Deltas {
  pending?: number;
  available?: number;
  held?: number;
}

export class LedgerWriter {
  private position = 0;

  constructor(
    private readonly memberId: string,
    private readonly source: string,
    private readonly programVersion: number,
    private readonly core: MemberCore,
    private readonly emit: (entry: LedgerEntry) => void,
  ) {}

  write(kind: LedgerKind, orderId: string | null, campaignId: string | null, deltas: Deltas, occurredAt: number): void {
    const entry: LedgerEntry = {
      entryId: entryId(this.source, this.position++),
      memberId: this.memberId,
      kind,
      orderId,
      campaignId,
      pendingDelta: deltas.pending ?? 0,
      availableDelta: deltas.available ?? 0,
      heldDelta: deltas.held ?? 0,
      occurredAt,
      programVersion: this.programVersion,
    };
    this.core.pending += entry.pendingDelta;
    this.core.available += entry.availableDelta;
    this.core.held += entry.heldDelta;
    this.emit(entry);
  }
}

export type SignalDraft = Omit<FraudSignal, 'signalId'>;

export class SignalWriter {
  private position = 0;

  constructor(private readonly source: string, private readonly emit: (signal: FraudSignal) => void) {}

  write(draft: SignalDraft): void {
    this.emit({ signalId: signalId(this.source, this.position++), ...draft });
  }
}

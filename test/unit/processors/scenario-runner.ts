// Runs a conformance scenario (test/fixtures/conformance/<name>) through the member and
// card-fraud processors on the in-memory TestDriver, as the scenario's README assumes: orders in
// file order, each accepted card use routed to the card processor at once and its SHARED_CARD
// signals back to the member processor right after the order that triggered them; then a
// watermark at meta.asOf. Summarizes the outputs in the shape of expected.json.
import { readFileSync } from 'node:fs';
import type { FraudSignal, LedgerEntry, MemberSnapshot, Program, PromotionDecision } from '../../../avro/records.ts';
import { TestDriver, type DriverOutput } from '../../../engine/test-driver.ts';
import { createCardFraudProcessor } from '../../../processors/card-fraud/processor.ts';
import { createMemberProcessor } from '../../../processors/member/processor.ts';
import { snapshotAt } from '../../../processors/member/snapshot.ts';
import { readCore } from '../../../processors/member/state.ts';
import { parseProgram } from '../../../processors/program.ts';

export interface ScenarioRun {
  program: Program;
  asOf: number;
  member: TestDriver;
  card: TestDriver;
  duplicates: number;
}

export function scenarioDir(name: string): URL {
  return new URL(`../../fixtures/conformance/${name}/`, import.meta.url);
}

export function readJson(dir: URL, file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
}

export function runScenario(name: string): ScenarioRun {
  const dir = scenarioDir(name);
  const program = parseProgram(readJson(dir, 'program.json'));
  const { asOf } = readJson(dir, 'meta.json') as { asOf: number };
  let duplicates = 0;
  const member = new TestDriver(createMemberProcessor({ program, onDuplicate: () => { duplicates += 1; } }));
  const card = new TestDriver(createCardFraudProcessor({ program }));
  for (const campaign of readJson(dir, 'campaigns.json') as { campaignId: string }[]) {
    member.setGlobal('campaigns', campaign.campaignId, campaign);
  }
  let routed = 0;
  let returned = 0;
  const lines = readFileSync(new URL('events.jsonl', dir), 'utf8').split('\n').filter((line) => line.trim() !== '');
  for (const line of lines) {
    const event = JSON.parse(line) as { memberId: string | null; orderId: string };
    member.pipe('orders.v1', event.memberId ?? event.orderId, event);
    const uses = member.outputs('byCard');
    for (; routed < uses.length; routed++) {
      const use = uses[routed] as DriverOutput;
      card.pipe('orders.by-card.v1', use.key, use.value);
    }
    const signals = card.outputs('signals');
    for (; returned < signals.length; returned++) {
      const signal = signals[returned] as DriverOutput;
      member.pipe('fraud.signals.v1', signal.key, signal.value);
    }
  }
  member.tick(asOf);
  return { program, asOf, member, card, duplicates: duplicates };
}

const values = <T>(outputs: DriverOutput[]): T[] => outputs.map((output) => output.value as T);

/** The run's results in the format of expected.json (loyalty-conformance/1). */
export function summarize(run: ScenarioRun): Record<string, unknown> {
  const { member, card, program, asOf } = run;
  const ledger: Record<string, { count: number; pendingDelta: number; availableDelta: number; heldDelta: number }> = {};
  for (const kind of ['ACTIVATE', 'BONUS', 'EARN', 'EXPIRE', 'HOLD', 'REDEEM', 'RELEASE', 'REVERSAL']) {
    ledger[kind] = { availableDelta: 0, count: 0, heldDelta: 0, pendingDelta: 0 };
  }
  const entries = values<LedgerEntry>(member.outputs('ledger'));
  for (const entry of entries) {
    const sums = ledger[entry.kind];
    if (sums === undefined) continue;
    sums.count += 1;
    sums.pendingDelta += entry.pendingDelta;
    sums.availableDelta += entry.availableDelta;
    sums.heldDelta += entry.heldDelta;
  }

  const decisionCounts = new Map<string, { campaignId: string; count: number; outcome: string; reason: string | null }>();
  const bonusAwarded: Record<string, number> = {};
  for (const decision of values<PromotionDecision>(member.outputs('decisions'))) {
    for (const e of decision.evaluations) {
      const id = `${e.campaignId}|${e.outcome}|${e.reason ?? ''}`;
      const row = decisionCounts.get(id) ?? { campaignId: e.campaignId, count: 0, outcome: e.outcome, reason: e.reason };
      row.count += 1;
      decisionCounts.set(id, row);
      if (e.outcome === 'AWARDED') bonusAwarded[e.campaignId] = (bonusAwarded[e.campaignId] ?? 0) + e.bonusPoints;
    }
  }
  const decisions = [...decisionCounts.values()].sort((a, b) =>
    a.campaignId.localeCompare(b.campaignId) || a.outcome.localeCompare(b.outcome) || (a.reason ?? '').localeCompare(b.reason ?? ''));

  const signals: Record<string, number> = {};
  for (const signal of [...values<FraudSignal>(member.outputs('signals')), ...values<FraudSignal>(card.outputs('signals'))]) {
    signals[signal.rule] = (signals[signal.rule] ?? 0) + 1;
  }
  const dlq: Record<string, number> = {};
  for (const reason of ['CURRENCY_MISMATCH', 'DUPLICATE_ORDER', 'LINE_TOTAL_MISMATCH', 'NEGATIVE_AMOUNT', 'NON_POSITIVE_REFUND',
    'REFUND_EXCEEDS_TOTAL', 'SCHEMA_VIOLATION', 'TOTAL_MISMATCH', 'UNDECODABLE', 'UNKNOWN_ORDER']) dlq[reason] = 0;
  for (const letter of member.deadLetters()) dlq[letter.reason] = (dlq[letter.reason] ?? 0) + 1;

  const lastSnapshots = new Map<string, MemberSnapshot>();
  for (const snapshot of values<MemberSnapshot>(member.outputs('members'))) lastSnapshots.set(snapshot.memberId, snapshot);
  const members: Record<string, unknown> = {};
  const membersAtLastUpdate: Record<string, unknown> = {};
  for (const memberId of [...lastSnapshots.keys()].sort()) {
    const last = lastSnapshots.get(memberId) as MemberSnapshot;
    const fields = member.state(memberId) ?? {};
    const now = snapshotAt(memberId, readCore({ get: (f) => fields[f], set: () => {}, delete: () => {}, entries: () => [] }), program, asOf);
    members[memberId] = {
      availablePoints: now.availablePoints, heldPoints: now.heldPoints, lastActivityAt: now.lastActivityAt,
      lifetimeEarnedPoints: now.lifetimeEarnedPoints, orderCount: now.orderCount, pendingPoints: now.pendingPoints,
      qualifyingSpendCents: now.qualifyingSpendCents, tier: now.tier,
    };
    membersAtLastUpdate[memberId] = { qualifyingSpendCents: last.qualifyingSpendCents, tier: last.tier, updatedAt: last.updatedAt };
  }
  const sharedCardHoldLots = entries
    .filter((entry) => entry.kind === 'HOLD' && entry.entryId.includes('/SHARED_CARD/') && entry.pendingDelta < 0)
    .map((entry) => entry.heldDelta)
    .sort((a, b) => a - b);

  return {
    asOf, bonusAwarded: sortedKeys(bonusAwarded), decisions, dlq, duplicates: run.duplicates, format: 'loyalty-conformance/1', ledger, members,
    membersAtLastUpdate, sharedCardHoldLots, signals: sortedKeys(signals),
  };
}

function sortedKeys<V>(obj: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : 1)));
}

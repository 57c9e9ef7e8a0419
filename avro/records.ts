// TypeScript shapes of the Avro records in this folder (one .avsc per record).
// Field names are exactly those of RULES.md. Money is integer cents, points are integers,
// times are UTC epoch millis (Avro long, logicalType timestamp-millis, kept as a number).

export type OrderEventType = 'COMPLETED' | 'REFUNDED';
export type Channel = 'IN_STORE' | 'DRIVE_THRU' | 'KIOSK' | 'WEB' | 'APP' | 'DELIVERY';
export type PaymentMethod = 'CARD' | 'CASH' | 'GIFT_CARD' | 'WALLET';

export interface OrderLine {
  sku: string;
  category: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface Redemption {
  rewardId: string;
  points: number;
}

export interface Payment {
  method: PaymentMethod;
  cardFingerprint: string | null;
}

/** loyalty.orders.OrderEvent, topic orders.v1 (key memberId, or orderId for guests). */
export interface OrderEvent {
  eventId: string;
  type: OrderEventType;
  orderId: string;
  memberId: string | null;
  storeId: string;
  storeTimeZone: string;
  channel: Channel;
  occurredAt: number;
  currency: string;
  lines: OrderLine[];
  discountCents: number;
  taxCents: number;
  tipCents: number;
  totalCents: number;
  refundCents: number;
  redemptions: Redemption[];
  payment: Payment;
  deviceId: string | null;
  employee: boolean;
}

export type LedgerKind = 'EARN' | 'BONUS' | 'REDEEM' | 'ACTIVATE' | 'REVERSAL' | 'EXPIRE' | 'HOLD' | 'RELEASE';

/** loyalty.ledger.LedgerEntry, topic loyalty.ledger.v1 (key memberId). */
export interface LedgerEntry {
  entryId: string;
  memberId: string;
  kind: LedgerKind;
  orderId: string | null;
  campaignId: string | null;
  pendingDelta: number;
  availableDelta: number;
  heldDelta: number;
  occurredAt: number;
  programVersion: number;
}

export type TierName = string;

/** loyalty.members.MemberSnapshot, compacted topic loyalty.members.v1 (key memberId). */
export interface MemberSnapshot {
  memberId: string;
  tier: TierName;
  pendingPoints: number;
  availablePoints: number;
  heldPoints: number;
  lifetimeEarnedPoints: number;
  qualifyingSpendCents: number;
  orderCount: number;
  lastActivityAt: number | null;
  updatedAt: number;
}

export type DecisionOutcome = 'AWARDED' | 'NOT_ELIGIBLE' | 'CONTROL';
export type DecisionReason =
  | 'CHANNEL' | 'STORE' | 'TIER' | 'DAYPART' | 'MIN_SPEND' | 'CONTROL_GROUP'
  | 'NO_MATCHING_ITEMS' | 'PROGRESS' | 'NOT_FIRST_ORDER' | 'LIMIT_REACHED' | 'STACKING';

export interface CampaignEvaluation {
  campaignId: string;
  campaignVersion: number;
  outcome: DecisionOutcome;
  reason: DecisionReason | null;
  bonusPoints: number;
  progress: number | null;
}

/** loyalty.promotions.PromotionDecision, topic promotions.decisions.v1 (key memberId). */
export interface PromotionDecision {
  decisionId: string;
  orderId: string;
  memberId: string;
  occurredAt: number;
  evaluations: CampaignEvaluation[];
}

export type FraudRule = 'VELOCITY' | 'LARGE_ORDER' | 'REDEMPTION_OVERDRAFT' | 'REFUND_ABUSE' | 'SHARED_CARD';
export type FraudAction = 'REVIEW' | 'HOLD';

/** loyalty.fraud.FraudSignal, topic fraud.signals.v1 (key memberId, or orderId for guests). */
export interface FraudSignal {
  signalId: string;
  rule: FraudRule;
  action: FraudAction;
  score: number;
  orderId: string | null;
  memberId: string | null;
  storeId: string | null;
  cardFingerprint: string | null;
  /** Human-readable facts a reviewer acts on (JSON text: orders and members involved, counts, window). */
  details: string;
  occurredAt: number;
}

export type CommandType = 'RELEASE';

/** loyalty.commands.Command, topic loyalty.commands.v1 (key memberId). */
export interface Command {
  commandId: string;
  type: CommandType;
  memberId: string;
  orderId: string;
  reason: string;
  issuedBy: string;
  issuedAt: number;
}

export type CampaignType = 'MULTIPLIER' | 'SPEND_THRESHOLD' | 'NTH_VISIT' | 'FIRST_ORDER';
export type Weekday = 'MON' | 'TUE' | 'WED' | 'THU' | 'FRI' | 'SAT' | 'SUN';

export interface Daypart {
  days: Weekday[];
  startMinute: number;
  endMinute: number;
}

/** Type-specific parameters; only the fields of the campaign's type are set, the rest null. */
export interface CampaignParams {
  extraMultiplierBp: number | null;
  categories: string[] | null;
  bonusPoints: number | null;
  every: number | null;
}

/**
 * loyalty.promotions.Campaign, compacted topic campaigns.v1 (key campaignId).
 * startsAt/endsAt are epoch millis on the wire; campaign files may write RFC 3339 strings.
 */
export interface Campaign {
  campaignId: string;
  version: number;
  type: CampaignType;
  startsAt: number;
  endsAt: number;
  channels: Channel[] | null;
  stores: string[] | null;
  tiers: string[] | null;
  daypart: Daypart | null;
  minEligibleCents: number;
  controlGroupBp: number;
  maxAwardsPerMember: number | null;
  exclusiveGroup: string | null;
  params: CampaignParams;
}

/** The program of RULES.md section 2 (programs/default.json). */
export interface Program {
  programId: string;
  version: number;
  currency: string;
  pointsPerUnit: number;
  excludedCategories: string[];
  pendingHours: number;
  inactivityExpiryDays: number;
  tiers: { name: string; minQualifyingCents: number; multiplierBp: number }[];
  fraud: {
    velocityMaxOrders: number;
    velocityWindowMinutes: number;
    largeOrderCents: number;
    refundAbuseCount: number;
    refundAbuseWindowDays: number;
    sharedCardMembers: number;
    sharedCardWindowHours: number;
  };
}

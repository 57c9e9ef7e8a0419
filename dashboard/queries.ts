// The dashboard's named, parameterised queries. Every value reaches ClickHouse as a query
// parameter ({name:Type}); nothing a request carries is ever spliced into SQL text.
// Time ranges are event time, [from, to), in epoch millis.

export interface TimeRange {
  from: number;
  to: number;
}

/** Anything that runs a parameterised read: the embedded/HTTP Analytics client or its remote proxy. */
export interface QueryRunner {
  query<Row = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<{ rows: Row[] }>;
}

function rangeParams(range: TimeRange): Record<string, unknown> {
  return { from: range.from / 1000, to: range.to / 1000 };
}

const HOUR_IN_RANGE = `t.hour >= toStartOfHour(toDateTime64({from:Float64}, 3, 'UTC')) AND t.hour < toDateTime64({to:Float64}, 3, 'UTC')`;
const TIME_IN_RANGE = `t.occurredAt >= toDateTime64({from:Float64}, 3, 'UTC') AND t.occurredAt < toDateTime64({to:Float64}, 3, 'UTC')`;

export interface CampaignOverviewRow {
  campaignId: string;
  evaluations: number;
  awards: number;
  control: number;
  notEligible: number;
  bonusPoints: number;
  reach: number;
}

export async function campaignOverview(db: QueryRunner, range: TimeRange): Promise<CampaignOverviewRow[]> {
  const { rows } = await db.query<CampaignOverviewRow>(`
    SELECT campaignId,
      toUInt64(sum(t.evaluations)) AS evaluations,
      toUInt64(sumIf(t.evaluations, outcome = 'AWARDED')) AS awards,
      toUInt64(sumIf(t.evaluations, outcome = 'CONTROL')) AS control,
      toUInt64(sumIf(t.evaluations, outcome = 'NOT_ELIGIBLE')) AS notEligible,
      toInt64(sum(t.bonusPoints)) AS bonusPoints,
      toUInt64(uniqMerge(t.reach)) AS reach
    FROM campaign_hourly AS t
    WHERE ${HOUR_IN_RANGE}
    GROUP BY campaignId
    ORDER BY campaignId`, rangeParams(range));
  return rows;
}

export interface LiftRow {
  campaignId: string;
  grp: 'TREATMENT' | 'CONTROL';
  members: number;
  visits: number;
  spendCents: number;
}

/** Treatment vs control among members who passed every targeting check (see campaign_exposure). */
export async function campaignLift(db: QueryRunner, range: TimeRange): Promise<LiftRow[]> {
  const { rows } = await db.query<LiftRow>(`
    SELECT x.campaignId AS campaignId, x.grp AS grp,
      toUInt64(uniqExact(x.memberId)) AS members,
      toUInt64(uniqExact(x.orderId)) AS visits,
      toInt64(sum(o.totalCents)) AS spendCents
    FROM (SELECT DISTINCT campaignId, grp, memberId, orderId FROM campaign_exposure AS t WHERE ${TIME_IN_RANGE}) AS x
    LEFT JOIN (SELECT orderId, any(totalCents) AS totalCents FROM orders WHERE type = 'COMPLETED' GROUP BY orderId) AS o
      ON o.orderId = x.orderId
    GROUP BY campaignId, grp
    ORDER BY campaignId, grp`, rangeParams(range));
  return rows;
}

export interface ReasonRow {
  outcome: string;
  reason: string;
  evaluations: number;
  bonusPoints: number;
}

export async function campaignReasons(db: QueryRunner, campaignId: string, range: TimeRange): Promise<ReasonRow[]> {
  const { rows } = await db.query<ReasonRow>(`
    SELECT outcome, reason, toUInt64(sum(t.evaluations)) AS evaluations, toInt64(sum(t.bonusPoints)) AS bonusPoints
    FROM campaign_hourly AS t
    WHERE campaignId = {campaignId:String} AND ${HOUR_IN_RANGE}
    GROUP BY outcome, reason
    ORDER BY evaluations DESC, outcome, reason`, { ...rangeParams(range), campaignId });
  return rows;
}

export interface HourRow {
  hour: string;
  awards: number;
  evaluations: number;
  bonusPoints: number;
}

export async function campaignByHour(db: QueryRunner, campaignId: string, range: TimeRange): Promise<HourRow[]> {
  const { rows } = await db.query<HourRow>(`
    SELECT formatDateTime(t.hour, '%Y-%m-%dT%H:00:00Z') AS hour,
      toUInt64(sumIf(t.evaluations, outcome = 'AWARDED')) AS awards,
      toUInt64(sum(t.evaluations)) AS evaluations,
      toInt64(sum(t.bonusPoints)) AS bonusPoints
    FROM campaign_hourly AS t
    WHERE campaignId = {campaignId:String} AND ${HOUR_IN_RANGE}
    GROUP BY hour
    ORDER BY hour`, { ...rangeParams(range), campaignId });
  return rows;
}

export interface StoreChannelRow {
  storeId: string;
  channel: string;
  evaluations: number;
  awards: number;
  bonusPoints: number;
}

export async function campaignByStoreChannel(db: QueryRunner, campaignId: string, range: TimeRange): Promise<StoreChannelRow[]> {
  const { rows } = await db.query<StoreChannelRow>(`
    SELECT storeId, channel, toUInt64(count()) AS evaluations,
      toUInt64(countIf(t.outcome = 'AWARDED')) AS awards, toInt64(sum(t.bonusPoints)) AS bonusPoints
    FROM campaign_store_channel AS t
    WHERE campaignId = {campaignId:String} AND ${HOUR_IN_RANGE}
    GROUP BY storeId, channel
    ORDER BY evaluations DESC, storeId, channel`, { ...rangeParams(range), campaignId });
  return rows;
}

export interface LiabilityRow {
  day: string;
  pending: number;
  available: number;
  held: number;
}

/** Outstanding balances at the end of each day: running sums of the ledger deltas. */
export async function pointsLiability(db: QueryRunner, range: TimeRange): Promise<LiabilityRow[]> {
  const { rows } = await db.query<LiabilityRow>(`
    SELECT toString(day) AS day,
      toInt64(sum(p) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS pending,
      toInt64(sum(a) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS available,
      toInt64(sum(h) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS held
    FROM (SELECT day, sum(pendingDelta) AS p, sum(availableDelta) AS a, sum(heldDelta) AS h
          FROM points_liability_daily
          WHERE day <= toDate(toDateTime64({to:Float64}, 3, 'UTC'))
          GROUP BY day)
    ORDER BY day`, rangeParams(range));
  return rows.filter((row) => Date.parse(`${row.day}T00:00:00Z`) + 86_400_000 > range.from);
}

export interface TierRow {
  tier: string;
  members: number;
}

export async function tierDistribution(db: QueryRunner): Promise<TierRow[]> {
  const { rows } = await db.query<TierRow>(`
    SELECT tier, toUInt64(count()) AS members
    FROM (SELECT memberId, argMax(tier, updatedAt) AS tier FROM member_snapshots GROUP BY memberId)
    GROUP BY tier
    ORDER BY members DESC, tier`);
  return rows;
}

export interface FraudRuleRow {
  rule: string;
  action: string;
  signals: number;
}

export async function fraudByRule(db: QueryRunner, range: TimeRange): Promise<FraudRuleRow[]> {
  const { rows } = await db.query<FraudRuleRow>(`
    SELECT rule, action, toUInt64(sum(t.signals)) AS signals
    FROM fraud_hourly AS t
    WHERE ${HOUR_IN_RANGE}
    GROUP BY rule, action
    ORDER BY signals DESC, rule`, rangeParams(range));
  return rows;
}

export interface SignalRow {
  signalId: string;
  rule: string;
  action: string;
  score: number;
  memberId: string | null;
  orderId: string | null;
  storeId: string | null;
  occurredAt: string;
  details: string;
}

export async function latestSignals(db: QueryRunner, range: TimeRange, limit = 20): Promise<SignalRow[]> {
  const { rows } = await db.query<SignalRow>(`
    SELECT signalId, rule, action, score, memberId, orderId, storeId,
      formatDateTime(t.occurredAt, '%Y-%m-%dT%H:%i:%SZ') AS occurredAt, details
    FROM fraud_signals AS t
    WHERE ${TIME_IN_RANGE}
    ORDER BY t.occurredAt DESC, signalId
    LIMIT 1 BY signalId
    LIMIT {limit:UInt32}`, { ...rangeParams(range), limit });
  return rows;
}

export interface DataRange {
  minAt: number | null;
  maxAt: number | null;
}

/** The event-time span of the data, so the time-range picker works on simulated or replayed data. */
export async function dataRange(db: QueryRunner): Promise<DataRange> {
  const { rows } = await db.query<{ minAt: number; maxAt: number; n: number }>(`
    SELECT toInt64(toUnixTimestamp64Milli(min(occurredAt))) AS minAt,
      toInt64(toUnixTimestamp64Milli(max(occurredAt))) AS maxAt, toUInt64(count()) AS n
    FROM ledger_entries`);
  const row = rows[0];
  if (!row || Number(row.n) === 0) return { minAt: null, maxAt: null };
  return { minAt: Number(row.minAt), maxAt: Number(row.maxAt) };
}

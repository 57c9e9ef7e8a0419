-- Roll-ups kept up to date by materialized views on insert into the raw tables. A batch dropped
-- by its dedup token must not reach the views again: ClickHouse 26 still pushes a deduplicated
-- block to the views, so inserts set deduplicate_blocks_in_dependent_materialized_views=1 and
-- every target table has its own dedup window; the view's block token derives from the insert's.
-- Readers aggregate with sum()/uniqMerge() over these tables.

-- Campaign evaluations per hour by outcome and reason: awards, bonus points, reach.
CREATE TABLE IF NOT EXISTS campaign_hourly (
  campaignId LowCardinality(String),
  hour DateTime('UTC'),
  outcome LowCardinality(String),
  reason LowCardinality(String),
  evaluations SimpleAggregateFunction(sum, UInt64),
  bonusPoints SimpleAggregateFunction(sum, Int64),
  reach AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (campaignId, hour, outcome, reason)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS campaign_hourly_mv TO campaign_hourly AS
SELECT
  campaignId,
  toStartOfHour(toDateTime(occurredAt, 'UTC')) AS hour,
  outcome,
  ifNull(reason, '') AS reason,
  toUInt64(count()) AS evaluations,
  toInt64(sum(bonusPoints)) AS bonusPoints,
  uniqState(memberId) AS reach
FROM promotion_evaluations
GROUP BY campaignId, hour, outcome, reason;

-- Visits of targeted members, split into treatment and control: a member is comparable only once
-- every targeting check passed (CHANNEL, STORE, TIER, DAYPART, MIN_SPEND), so NOT_ELIGIBLE for
-- those reasons is left out. Spend comes from orders by orderId at query time (campaign_lift).
CREATE TABLE IF NOT EXISTS campaign_exposure (
  campaignId LowCardinality(String),
  grp LowCardinality(String),
  memberId String,
  orderId String,
  occurredAt DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (campaignId, grp, memberId, orderId)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS campaign_exposure_mv TO campaign_exposure AS
SELECT campaignId, if(outcome = 'CONTROL', 'CONTROL', 'TREATMENT') AS grp, memberId, orderId, occurredAt
FROM promotion_evaluations
WHERE outcome IN ('AWARDED', 'CONTROL')
   OR reason IN ('NO_MATCHING_ITEMS', 'PROGRESS', 'NOT_FIRST_ORDER', 'LIMIT_REACHED', 'STACKING');

-- Order events per hour, store and channel (completed, spend, refunds, distinct members). These
-- count events as the ordering systems sent them, resends included; distinctEvents (uniq eventId)
-- shows how many were resends.
CREATE TABLE IF NOT EXISTS store_channel_hourly (
  hour DateTime('UTC'),
  storeId LowCardinality(String),
  channel LowCardinality(String),
  orders SimpleAggregateFunction(sum, UInt64),
  spendCents SimpleAggregateFunction(sum, Int64),
  refunds SimpleAggregateFunction(sum, UInt64),
  refundCents SimpleAggregateFunction(sum, Int64),
  members AggregateFunction(uniq, String),
  distinctEvents AggregateFunction(uniq, String)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, storeId, channel)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS store_channel_hourly_mv TO store_channel_hourly AS
SELECT
  toStartOfHour(toDateTime(occurredAt, 'UTC')) AS hour,
  storeId,
  channel,
  toUInt64(countIf(type = 'COMPLETED')) AS orders,
  toInt64(sumIf(totalCents, type = 'COMPLETED')) AS spendCents,
  toUInt64(countIf(type = 'REFUNDED')) AS refunds,
  toInt64(sumIf(refundCents, type = 'REFUNDED')) AS refundCents,
  uniqStateIf(assumeNotNull(memberId), memberId IS NOT NULL) AS members,
  uniqState(eventId) AS distinctEvents
FROM orders
GROUP BY hour, storeId, channel;

-- Points liability: ledger deltas per day and entry kind; the running sum over days is the
-- outstanding pending, available and held balance of all members.
CREATE TABLE IF NOT EXISTS points_liability_daily (
  day Date,
  kind LowCardinality(String),
  entries UInt64,
  pendingDelta Int64,
  availableDelta Int64,
  heldDelta Int64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, kind)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS points_liability_daily_mv TO points_liability_daily AS
SELECT
  toDate(occurredAt, 'UTC') AS day,
  kind,
  toUInt64(count()) AS entries,
  toInt64(sum(pendingDelta)) AS pendingDelta,
  toInt64(sum(availableDelta)) AS availableDelta,
  toInt64(sum(heldDelta)) AS heldDelta
FROM ledger_entries
GROUP BY day, kind;

-- Redemptions per hour, store, channel and reward, from the orders that carried them.
CREATE TABLE IF NOT EXISTS redemptions_hourly (
  hour DateTime('UTC'),
  storeId LowCardinality(String),
  channel LowCardinality(String),
  rewardId LowCardinality(String),
  redemptions UInt64,
  points Int64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, storeId, channel, rewardId)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS redemptions_hourly_mv TO redemptions_hourly AS
SELECT
  toStartOfHour(toDateTime(occurredAt, 'UTC')) AS hour,
  storeId,
  channel,
  rewardId,
  toUInt64(count()) AS redemptions,
  toInt64(sum(points)) AS points
FROM orders
ARRAY JOIN redemptionRewardIds AS rewardId, redemptionPoints AS points
WHERE type = 'COMPLETED'
GROUP BY hour, storeId, channel, rewardId;

-- Fraud signals per hour by rule, action and store ('' when the signal has no store).
CREATE TABLE IF NOT EXISTS fraud_hourly (
  hour DateTime('UTC'),
  rule LowCardinality(String),
  action LowCardinality(String),
  storeId LowCardinality(String),
  signals UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, rule, action, storeId)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS fraud_hourly_mv TO fraud_hourly AS
SELECT
  toStartOfHour(toDateTime(occurredAt, 'UTC')) AS hour,
  rule,
  action,
  ifNull(storeId, '') AS storeId,
  toUInt64(count()) AS signals
FROM fraud_signals
GROUP BY hour, rule, action, storeId;

-- Campaign evaluations by the store and channel of their order. PromotionDecision carries neither,
-- and the order and its decision reach the sink on different topics in no fixed order, so a
-- materialized join at insert time would miss late orders: this view joins at query time.
CREATE VIEW IF NOT EXISTS campaign_store_channel AS
SELECT
  e.campaignId AS campaignId,
  toStartOfHour(toDateTime(e.occurredAt, 'UTC')) AS hour,
  o.storeId AS storeId,
  o.channel AS channel,
  e.outcome AS outcome,
  ifNull(e.reason, '') AS reason,
  e.memberId AS memberId,
  e.bonusPoints AS bonusPoints
FROM promotion_evaluations AS e
INNER JOIN (SELECT DISTINCT orderId, storeId, channel FROM orders WHERE type = 'COMPLETED') AS o
  ON o.orderId = e.orderId;

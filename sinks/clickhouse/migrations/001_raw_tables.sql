-- Raw tables, one per record kind, filled by the sink (sinks/clickhouse/sink.ts).
-- Every table is a ReplacingMergeTree whose sorting key ends with the record's own id: the insert
-- dedup token drops a re-sent batch, and a duplicate that slipped past it (a different batch cut)
-- still collapses on merge. non_replicated_deduplication_window makes the token work on a
-- non-replicated MergeTree (it is 0, i.e. off, by default). sourcePartition/sourceOffset keep each
-- row's Kafka origin for audits. Raw orders, evaluations and signals age out after three years;
-- the ledger is the source of truth and never expires; the DLQ keeps 180 days from its write time.

CREATE TABLE IF NOT EXISTS orders (
  eventId String,
  type LowCardinality(String),
  orderId String,
  memberId Nullable(String),
  storeId LowCardinality(String),
  storeTimeZone LowCardinality(String),
  channel LowCardinality(String),
  occurredAt DateTime64(3, 'UTC'),
  currency LowCardinality(String),
  subtotalCents Int64,
  discountCents Int64,
  taxCents Int64,
  tipCents Int64,
  totalCents Int64,
  refundCents Int64,
  redemptionRewardIds Array(LowCardinality(String)),
  redemptionPoints Array(Int64),
  paymentMethod LowCardinality(String),
  cardFingerprint Nullable(String),
  deviceId Nullable(String),
  employee Bool,
  sourcePartition UInt32,
  sourceOffset UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (storeId, occurredAt, eventId)
TTL toDateTime(occurredAt) + INTERVAL 3 YEAR
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS order_lines (
  eventId String,
  lineNo UInt16,
  type LowCardinality(String),
  orderId String,
  memberId Nullable(String),
  storeId LowCardinality(String),
  channel LowCardinality(String),
  occurredAt DateTime64(3, 'UTC'),
  sku LowCardinality(String),
  category LowCardinality(String),
  quantity Int32,
  unitPriceCents Int64,
  lineTotalCents Int64,
  sourcePartition UInt32,
  sourceOffset UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (storeId, occurredAt, eventId, lineNo)
TTL toDateTime(occurredAt) + INTERVAL 3 YEAR
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS ledger_entries (
  entryId String,
  memberId String,
  kind LowCardinality(String),
  orderId Nullable(String),
  campaignId LowCardinality(Nullable(String)),
  pendingDelta Int64,
  availableDelta Int64,
  heldDelta Int64,
  occurredAt DateTime64(3, 'UTC'),
  programVersion UInt32,
  sourcePartition UInt32,
  sourceOffset UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (memberId, occurredAt, entryId)
SETTINGS non_replicated_deduplication_window = 10000;

-- The latest snapshot per member wins (version updatedAt); a compacted topic, so no partitions.
CREATE TABLE IF NOT EXISTS member_snapshots (
  memberId String,
  tier LowCardinality(String),
  pendingPoints Int64,
  availablePoints Int64,
  heldPoints Int64,
  lifetimeEarnedPoints Int64,
  qualifyingSpendCents Int64,
  orderCount UInt32,
  lastActivityAt Nullable(DateTime64(3, 'UTC')),
  updatedAt DateTime64(3, 'UTC'),
  sourcePartition UInt32,
  sourceOffset UInt64
) ENGINE = ReplacingMergeTree(updatedAt)
ORDER BY memberId
SETTINGS non_replicated_deduplication_window = 10000;

-- One row per campaign evaluated in a decision (decisionId + campaignId is unique).
CREATE TABLE IF NOT EXISTS promotion_evaluations (
  decisionId String,
  campaignId LowCardinality(String),
  campaignVersion UInt32,
  orderId String,
  memberId String,
  occurredAt DateTime64(3, 'UTC'),
  outcome LowCardinality(String),
  reason LowCardinality(Nullable(String)),
  bonusPoints Int64,
  progress Nullable(Int32),
  sourcePartition UInt32,
  sourceOffset UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (campaignId, occurredAt, decisionId)
TTL toDateTime(occurredAt) + INTERVAL 3 YEAR
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS fraud_signals (
  signalId String,
  rule LowCardinality(String),
  action LowCardinality(String),
  score UInt8,
  orderId Nullable(String),
  memberId Nullable(String),
  storeId LowCardinality(Nullable(String)),
  cardFingerprint Nullable(String),
  details String,
  occurredAt DateTime64(3, 'UTC'),
  sourcePartition UInt32,
  sourceOffset UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(occurredAt)
ORDER BY (rule, occurredAt, signalId)
TTL toDateTime(occurredAt) + INTERVAL 3 YEAR
SETTINGS non_replicated_deduplication_window = 10000;

-- Dead letters of every stage, with the reason headers and the original bytes (base64).
CREATE TABLE IF NOT EXISTS dlq_events (
  dlqTopic LowCardinality(String),
  dlqPartition UInt32,
  dlqOffset UInt64,
  reason LowCardinality(String),
  error String,
  sourceTopic LowCardinality(String),
  sourcePartition Nullable(UInt32),
  sourceOffset Nullable(UInt64),
  deadLetteredAt DateTime64(3, 'UTC'),
  key Nullable(String),
  valueBase64 String
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(deadLetteredAt)
ORDER BY (dlqTopic, dlqPartition, dlqOffset)
TTL toDateTime(deadLetteredAt) + INTERVAL 180 DAY
SETTINGS non_replicated_deduplication_window = 10000;

--[[
  Commit one batch of a task atomically, if this instance still owns the task.

  KEYS[1] fence    task fence epoch (string integer)
  KEYS[2] meta     hash: st = stream time, w:<topic>:<partition> = last applied offset
  KEYS[3] timers   zset: member = name .. "\0" .. key, score = dueAt
  KEYS[4] outbox   list of serialized records still to produce to Kafka

  ARGV[1] epoch of the caller
  ARGV[2] prefix of the state hashes (same hash tag as KEYS)
  ARGV[3] stream time, or "" to leave it
  ARGV[4] 1 = replace the outbox with the entries below, 0 = leave it
  then    n, n x (field, offset)                 watermarks
  then    n, n x (key, field, op, value)         state: op "s" = HSET, "d" = HDEL (value ignored)
  then    n, n x (member, dueAt)                 timer upserts
  then    n, n x member                          timer deletes
  then    n, n x entry                           outbox entries

  Returns 1; 0 when the epoch is stale (another owner took the task; nothing is written);
  -1 when there is no fence at all (Redis lost the task's keys; nothing is written).
]]
local fence = redis.call('GET', KEYS[1])
if not fence then
  return -1
end
if fence ~= ARGV[1] then
  return 0
end
local prefix = ARGV[2]
local i = 5

local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2
end

n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local key = prefix .. ARGV[i]
  if ARGV[i + 2] == 's' then
    redis.call('HSET', key, ARGV[i + 1], ARGV[i + 3])
  else
    redis.call('HDEL', key, ARGV[i + 1])
  end
  i = i + 4
end

n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('ZADD', KEYS[3], ARGV[i + 1], ARGV[i]); i = i + 2
end

n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('ZREM', KEYS[3], ARGV[i]); i = i + 1
end

if ARGV[4] == '1' then
  redis.call('DEL', KEYS[4])
end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  redis.call('RPUSH', KEYS[4], ARGV[i]); i = i + 1
end

if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], 'st', ARGV[3])
end
return 1

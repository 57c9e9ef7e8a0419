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
  then    n, n x key block                       state, per key:
            key, s, s x (field, value), d, d x field      HSET of s fields, HDEL of d fields
  then    n, n x (dueAt, member)                 timer upserts
  then    n, n x member                          timer deletes
  then    n, n x entry                           outbox entries

  Writes go in multi-element commands (at most CHUNK elements each, within Lua's unpack limit):
  one redis.call per key and per thousand timers rather than one per field and per timer.

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
local CHUNK = 1000
local i = 5

-- Runs `command key ARGV[from .. from + count * width - 1]`, CHUNK items per call.
local function chunked(command, key, from, count, width)
  local done = 0
  while done < count do
    local take = math.min(CHUNK, count - done)
    local first = from + done * width
    redis.call(command, key, unpack(ARGV, first, first + take * width - 1))
    done = done + take
  end
  return from + count * width
end

local n = tonumber(ARGV[i]); i = i + 1
i = chunked('HSET', KEYS[2], i, n, 2)

n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local key = prefix .. ARGV[i]; i = i + 1
  local sets = tonumber(ARGV[i]); i = i + 1
  i = chunked('HSET', key, i, sets, 2)
  local deletes = tonumber(ARGV[i]); i = i + 1
  i = chunked('HDEL', key, i, deletes, 1)
end

n = tonumber(ARGV[i]); i = i + 1
i = chunked('ZADD', KEYS[3], i, n, 2)

n = tonumber(ARGV[i]); i = i + 1
i = chunked('ZREM', KEYS[3], i, n, 1)

if ARGV[4] == '1' then
  redis.call('DEL', KEYS[4])
end
n = tonumber(ARGV[i]); i = i + 1
chunked('RPUSH', KEYS[4], i, n, 1)

if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], 'st', ARGV[3])
end
return 1

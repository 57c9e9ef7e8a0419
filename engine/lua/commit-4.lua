--[[
  Commit one batch of a task atomically, if this instance still owns the task.

  KEYS[1] fence    task fence epoch (string integer)
  KEYS[2] meta     hash: st = stream time, v = state layout, w:<topic>:<partition> = last applied offset
  KEYS[3] timers   zset: member = name .. "\0" .. key, score = dueAt (the due index of the timers
                   that the state values hold)
  KEYS[4] outbox   list of serialized records still to produce to Kafka

  ARGV[1] epoch of the caller
  ARGV[2] stream time, or "" to leave it
  ARGV[3] 1 = replace the outbox with the entries below, 0 = leave it
  then    n, n x (field, offset)                 watermarks
  then    n, n x (state key, value)              whole state values written (SET)
  then    n, n x state key                       state keys deleted
  then    n, n x (dueAt, member)                 timer upserts
  then    n, n x member                          timer deletes
  then    n, n x entry                           outbox entries

  State keys come whole (same hash tag as KEYS). Writes go in multi-element commands of at most
  CHUNK items (within Lua's unpack limit): one redis.call per thousand keys or timers.

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
local CHUNK = 1000
local i = 4

-- Runs `command [key] ARGV[from .. from + count * width - 1]`, CHUNK items per call.
local function chunked(command, key, from, count, width)
  local done = 0
  while done < count do
    local take = math.min(CHUNK, count - done)
    local first = from + done * width
    local last = first + take * width - 1
    if key then
      redis.call(command, key, unpack(ARGV, first, last))
    else
      redis.call(command, unpack(ARGV, first, last))
    end
    done = done + take
  end
  return from + count * width
end

local n = tonumber(ARGV[i]); i = i + 1
i = chunked('HSET', KEYS[2], i, n, 2)

n = tonumber(ARGV[i]); i = i + 1
i = chunked('MSET', nil, i, n, 2)

n = tonumber(ARGV[i]); i = i + 1
i = chunked('DEL', nil, i, n, 1)

n = tonumber(ARGV[i]); i = i + 1
i = chunked('ZADD', KEYS[3], i, n, 2)

n = tonumber(ARGV[i]); i = i + 1
i = chunked('ZREM', KEYS[3], i, n, 1)

if ARGV[3] == '1' then
  redis.call('DEL', KEYS[4])
end
n = tonumber(ARGV[i]); i = i + 1
chunked('RPUSH', KEYS[4], i, n, 1)

if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[2], 'st', ARGV[2])
end
redis.call('HSET', KEYS[2], 'v', '2')
return 1

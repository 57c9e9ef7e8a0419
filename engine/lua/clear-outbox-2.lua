--[[
  Clear the outbox once its records are committed in Kafka, if this instance still owns the task.

  KEYS[1] fence    task fence epoch
  KEYS[2] outbox   list of serialized records

  ARGV[1] epoch of the caller

  Returns 1; 0 when the epoch is stale; -1 when there is no fence (Redis lost the task's keys).
]]
local fence = redis.call('GET', KEYS[1])
if not fence then
  return -1
end
if fence ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[2])
return 1

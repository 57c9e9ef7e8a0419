-- Counts one batch of records per key, at most once per input offset.
-- KEYS[1]  hash holding the counters: field "c:<key>" = records seen for <key>,
--          field "o:<partition>" = last input offset already counted for that partition
-- ARGV[1]  partition of the batch
-- ARGV[2]  last offset of the batch
-- ARGV[3..] the key of every record of the batch, in order
-- Returns the number of records counted (0 when the batch was counted before, e.g. redelivered
-- after a rebalance), so the counters stay exact under redelivery.
local offsetField = 'o:' .. ARGV[1]
local seen = redis.call('HGET', KEYS[1], offsetField)
if seen and tonumber(seen) >= tonumber(ARGV[2]) then
  return 0
end
for i = 3, #ARGV do
  redis.call('HINCRBY', KEYS[1], 'c:' .. ARGV[i], 1)
end
redis.call('HSET', KEYS[1], offsetField, ARGV[2])
return #ARGV - 2

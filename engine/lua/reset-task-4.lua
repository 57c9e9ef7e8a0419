--[[
  Forget a task's bookkeeping before its state is rebuilt from the changelog, if this instance
  owns the task. The state values are deleted by the caller (SCAN) after this, so a crash midway
  leaves no watermark behind and the next owner rebuilds again.

  KEYS[1] fence    task fence epoch
  KEYS[2] meta     hash of stream time and watermarks
  KEYS[3] timers   zset of timers
  KEYS[4] outbox   list of serialized records

  ARGV[1] epoch of the caller

  Returns 1, or 0 when the epoch is stale.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
return 1

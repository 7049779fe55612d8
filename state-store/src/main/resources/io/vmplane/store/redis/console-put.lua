-- Writes a console value (a grant under its token hash, or a live session) with a TTL, lists it in its VM's set and,
-- when asked, counts it in the VM's counter.
-- KEYS[1] the value's key, KEYS[2] the VM's set, KEYS[3] (optional) the VM's counter;
-- ARGV[1] the JSON, ARGV[2] its TTL (ms), ARGV[3] the set member, ARGV[4] '1' to count it.
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('SADD', KEYS[2], ARGV[3])
-- The set lives as long as its longest-lived member (a new set has no TTL: PTTL -1).
if redis.call('PTTL', KEYS[2]) < ttl then
    redis.call('PEXPIRE', KEYS[2], ttl)
end
if ARGV[4] == '1' then
    redis.call('INCR', KEYS[3])
end
return 1

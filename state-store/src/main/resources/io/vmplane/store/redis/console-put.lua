-- Stores a console grant under its token hash with a TTL and lists the hash in its VM's token set.
-- KEYS[1] the grant's key, KEYS[2] the VM's token set; ARGV[1] the JSON, ARGV[2] its TTL (ms), ARGV[3] the hash.
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('SADD', KEYS[2], ARGV[3])
-- The set lives as long as its longest-lived member (a new set has no TTL: PTTL -1).
if redis.call('PTTL', KEYS[2]) < ttl then
    redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1

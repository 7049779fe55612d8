-- Writes a live console session with a TTL and keeps its place in the VM's indexes; counts it once when new.
-- KEYS[1] the session's key, KEYS[2] the VM's live index (id -> expiry, epoch ms of the Redis clock), KEYS[3] its
-- age index (id -> connected-at), KEYS[4] the VM's counter of sessions ever opened;
-- ARGV[1] the JSON, ARGV[2] the TTL (ms), ARGV[3] the session id, ARGV[4] its connected-at (epoch ms), ARGV[5] '1' to
-- count it, ARGV[6] '1' to write only if the session still has its place (it was not removed: taken over or ended).
-- Returns 1 when written, 0 when not (no place).
if ARGV[6] == '1' and not redis.call('ZSCORE', KEYS[2], ARGV[3]) then
    return 0
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[3])
redis.call('ZADD', KEYS[3], tonumber(ARGV[4]), ARGV[3])
-- The indexes live as long as their longest-lived member (a new key has no TTL: PTTL -1).
for i = 2, 3 do
    if redis.call('PTTL', KEYS[i]) < ttl then
        redis.call('PEXPIRE', KEYS[i], ttl)
    end
end
if ARGV[5] == '1' then
    redis.call('INCR', KEYS[4])
end
return 1

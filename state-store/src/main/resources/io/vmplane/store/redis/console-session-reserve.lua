-- Reserves a place for a new console session of a VM and counts the VM's other live sessions, in one atomic step:
-- concurrent admissions on any instance each see the places reserved before theirs, so two never both take the last.
-- Members whose place expired (their proxy stopped refreshing them: it died) are dropped first; the work is the
-- count plus the names asked for, never a walk over the VM's sessions.
-- KEYS[1] the VM's live index (id -> expiry, epoch ms of the Redis clock), KEYS[2] its age index (id -> connected-at,
-- epoch ms); ARGV[1] the new session's id, ARGV[2] its connected-at (epoch ms), ARGV[3] the place's TTL (ms),
-- ARGV[4] the limit whose excess to name (0: name none).
-- Returns {others, id...}: when the others are at least the limit, the ids of the oldest of them (oldest first) a new
-- session must take over to stay within it.
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for i = 1, #expired, 1000 do
    redis.call('ZREM', KEYS[2], unpack(expired, i, math.min(i + 999, #expired)))
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local others = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
    others = others - 1
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), ARGV[1])
-- The indexes live as long as their longest-lived member (a new key has no TTL: PTTL -1).
for _, key in ipairs(KEYS) do
    if redis.call('PTTL', key) < ttl then
        redis.call('PEXPIRE', key, ttl)
    end
end
local result = {others}
local limit = tonumber(ARGV[4])
if limit > 0 and others >= limit then
    local excess = others - limit + 1
    -- one more than needed: the new session itself may rank among the oldest (equal connected-at)
    for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess)) do
        if id ~= ARGV[1] and #result <= excess then
            result[#result + 1] = id
        end
    end
end
return result

-- Records a host's heartbeat unless a later one is stored already: several workers write heartbeats (each reads
-- them all), and one lagging behind must not move the host's last heartbeat or status back. Returns 1 if recorded.
-- KEYS[1] host hash
-- ARGV[1] the heartbeat's time in epoch ms, ARGV[2] its time as ISO-8601, ARGV[3] the reported status
local stored = tonumber(redis.call('HGET', KEYS[1], 'last_heartbeat_ms') or '-1')
if tonumber(ARGV[1]) <= stored then
  return 0
end
redis.call('HSET', KEYS[1], 'last_heartbeat_ms', ARGV[1], 'last_heartbeat', ARGV[2], 'reported_status', ARGV[3])
return 1

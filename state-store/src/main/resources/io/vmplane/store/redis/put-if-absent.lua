-- Stores a value with a time to live unless the key exists; returns the value that holds afterwards.
-- KEYS[1] the key; ARGV[1] the value, ARGV[2] time to live in milliseconds
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return ARGV[1]
end
return redis.call('GET', KEYS[1])

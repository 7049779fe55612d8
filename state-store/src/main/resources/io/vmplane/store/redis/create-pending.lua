-- Creates a VM and its operation unless the VM exists; returns the VM hash that holds afterwards (HGETALL).
-- KEYS[1] VM hash, KEYS[2] operation hash, KEYS[3] sorted set of all VM ids, KEYS[4] set of active VM ids,
-- KEYS[5] sorted set of the project's VM ids
-- ARGV[1] VM id, ARGV[2] creation score (epoch ms), ARGV[3] '1' when the operation is active,
-- ARGV[4] n = number of VM hash arguments, ARGV[5 .. 4+n] VM field/value pairs, the rest operation field/value pairs
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('HGETALL', KEYS[1])
end
local n = tonumber(ARGV[4])
local vm = {}
for i = 5, 4 + n do
  vm[#vm + 1] = ARGV[i]
end
redis.call('HSET', KEYS[1], unpack(vm))
local op = {}
for i = 5 + n, #ARGV do
  op[#op + 1] = ARGV[i]
end
if #op > 0 then
  redis.call('HSET', KEYS[2], unpack(op))
end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[2], ARGV[1])
if ARGV[3] == '1' then
  redis.call('SADD', KEYS[4], ARGV[1])
end
return redis.call('HGETALL', KEYS[1])

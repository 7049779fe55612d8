-- Undoes a claim exactly, if it is still the one the caller read; returns 1 when done, 0 when the claim changed
-- meanwhile (the caller reads again and retries).
-- KEYS[1] the VM's claim-of key, KEYS[2] host's claims hash, KEYS[3] host's usage hash, KEYS[4] host's PCI hash
-- ARGV[1] VM id, ARGV[2] host id, ARGV[3] the claim JSON as read ('' when none was found),
-- ARGV[4] -vCPUs, ARGV[5] -memory MiB, ARGV[6] n = number of PCI addresses, ARGV[7 .. 6+n] the addresses,
-- then one pair per pool: name, -bytes
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  return 0
end
if (redis.call('HGET', KEYS[2], ARGV[1]) or '') ~= ARGV[3] then
  return 0
end

local function add(field, amount)
  if tonumber(amount) ~= 0 then
    if redis.call('HINCRBY', KEYS[3], field, amount) == 0 then
      redis.call('HDEL', KEYS[3], field)
    end
  end
end

redis.call('HDEL', KEYS[2], ARGV[1])
add('vcpus', ARGV[4])
add('memory_mib', ARGV[5])
local n = tonumber(ARGV[6])
for i = 7, 6 + n do
  if redis.call('HGET', KEYS[4], ARGV[i]) == ARGV[1] then
    redis.call('HDEL', KEYS[4], ARGV[i])
  end
end
for p = 7 + n, #ARGV, 2 do
  add('pool:' .. ARGV[p], ARGV[p + 1])
end
redis.call('DEL', KEYS[1])
return 1

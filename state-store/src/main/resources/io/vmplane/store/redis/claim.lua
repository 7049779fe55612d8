-- Claims capacity on one host for one VM, checking and recording in one atomic step. Returns a ClaimResult name.
-- KEYS[1] host's claims hash (VM id -> claim JSON), KEYS[2] host's usage hash (vcpus, memory_mib, pool:<name>),
-- KEYS[3] host's PCI hash (address -> VM id), KEYS[4] the VM's claim-of key (-> host id)
-- ARGV[1] VM id, ARGV[2] host id, ARGV[3] claim JSON, ARGV[4] vCPUs, ARGV[5] vCPU limit, ARGV[6] memory MiB,
-- ARGV[7] memory limit MiB, ARGV[8] n = number of PCI addresses, ARGV[9 .. 8+n] the addresses,
-- then one triple per pool: name, bytes, limit in bytes
local holder = redis.call('GET', KEYS[4])
if holder then
  if holder == ARGV[2] then
    return 'ALREADY_HELD'
  end
  return 'HELD_ON_OTHER_HOST'
end

local function used(field)
  return tonumber(redis.call('HGET', KEYS[2], field) or '0')
end
local function add(field, amount)
  if tonumber(amount) ~= 0 then
    redis.call('HINCRBY', KEYS[2], field, amount)
  end
end

if used('vcpus') + tonumber(ARGV[4]) > tonumber(ARGV[5]) then
  return 'INSUFFICIENT_VCPUS'
end
if used('memory_mib') + tonumber(ARGV[6]) > tonumber(ARGV[7]) then
  return 'INSUFFICIENT_MEMORY'
end
local n = tonumber(ARGV[8])
local firstPool = 9 + n
for p = firstPool, #ARGV, 3 do
  if used('pool:' .. ARGV[p]) + tonumber(ARGV[p + 1]) > tonumber(ARGV[p + 2]) then
    return 'INSUFFICIENT_STORAGE'
  end
end
for i = 9, 8 + n do
  if redis.call('HEXISTS', KEYS[3], ARGV[i]) == 1 then
    return 'PCI_DEVICE_TAKEN'
  end
end

redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
add('vcpus', ARGV[4])
add('memory_mib', ARGV[6])
for p = firstPool, #ARGV, 3 do
  add('pool:' .. ARGV[p], ARGV[p + 1])
end
for i = 9, 8 + n do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[1])
end
redis.call('SET', KEYS[4], ARGV[2])
return 'CLAIMED'

-- Applies a VM event if its version is strictly higher than the stored one; returns 1 if applied, else 0.
-- An unknown VM is left alone (0). The VM's current operation (operation_id in the VM hash) follows the phase
-- (version % 16) when the event is of the VM's current generation: 0 pending, 1-7 running, 8+ failed when the
-- event has a reason or the status is 'failed', else succeeded; a final phase takes the VM out of the active set
-- and gives the operation hash a time to live (the retention). A missing operation hash is not created. A final
-- 'deleted' takes the VM out of its project's listing and out of the listing of all VMs. A phase above 8 (OBSERVED: a fact observed after the
-- operation ended) changes the VM and takes it out of the active set but leaves the operation as it is.
-- KEYS[1] VM hash, KEYS[2] set of active VM ids
-- ARGV[1] version, ARGV[2] generation, ARGV[3] status, ARGV[4] host, ARGV[5] reason, ARGV[6] message,
-- ARGV[7] domain XML, ARGV[8] updated-at, ARGV[9] VM id, ARGV[10] operation key prefix ('' stands for null),
-- ARGV[11] operation retention (ms), ARGV[12] key prefix of the per-project sorted sets, ARGV[13] the sorted set of
-- all VM ids
-- An event that moves the operation also appends a step to its 'steps' (a JSON array, at most 32 steps): 'placed'
-- (phase 1), 'executing' (2-7) or 'finished' (8), with the VM's status and host after the event and its time.
local function appendStep(opKey, phase)
  if phase == 0 then
    return
  end
  local name = 'executing'
  if phase == 1 then name = 'placed' elseif phase >= 8 then name = 'finished' end
  local steps = {}
  local raw = redis.call('HGET', opKey, 'steps')
  if raw then
    local ok, decoded = pcall(cjson.decode, raw)
    if ok and type(decoded) == 'table' then steps = decoded end
  end
  if #steps >= 32 then
    return
  end
  local vm = redis.call('HMGET', KEYS[1], 'status', 'host')
  local step = {name = name, at = ARGV[8]}
  if vm[1] then step.state = vm[1] end
  if vm[2] then step.host = vm[2] end
  steps[#steps + 1] = step
  redis.call('HSET', opKey, 'steps', cjson.encode(steps))
end

if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local version = tonumber(ARGV[1])
local stored = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if version <= stored then
  return 0
end

local set = {'version', ARGV[1], 'updated_at', ARGV[8]}
if ARGV[3] ~= '' then
  set[#set + 1] = 'status'
  set[#set + 1] = ARGV[3]
end
if ARGV[4] ~= '' then
  set[#set + 1] = 'host'
  set[#set + 1] = ARGV[4]
end
if ARGV[7] ~= '' then
  set[#set + 1] = 'domain_xml'
  set[#set + 1] = ARGV[7]
end
-- reason and message describe this event: an event without them clears the earlier ones
if ARGV[5] ~= '' then
  set[#set + 1] = 'reason'
  set[#set + 1] = ARGV[5]
else
  redis.call('HDEL', KEYS[1], 'reason')
end
if ARGV[6] ~= '' then
  set[#set + 1] = 'message'
  set[#set + 1] = ARGV[6]
else
  redis.call('HDEL', KEYS[1], 'message')
end
redis.call('HSET', KEYS[1], unpack(set))

if version % 16 > 8 then
  redis.call('SREM', KEYS[2], ARGV[9])
  if ARGV[3] == 'deleted' then
    local project = redis.call('HGET', KEYS[1], 'project')
    if project then
      redis.call('ZREM', ARGV[12] .. project, ARGV[9])
    end
    redis.call('ZREM', ARGV[13], ARGV[9])
  end
  return 1
end

local generation = tonumber(redis.call('HGET', KEYS[1], 'generation') or '-1')
local opId = redis.call('HGET', KEYS[1], 'operation_id')
local opKey = opId and (ARGV[10] .. opId)
if opKey and generation == tonumber(ARGV[2]) and redis.call('EXISTS', opKey) == 1 then
  local phase = version % 16
  appendStep(opKey, phase)
  if phase >= 8 then
    if ARGV[3] == 'failed' or ARGV[5] ~= '' then
      redis.call('HSET', opKey, 'state', 'failed', 'updated_at', ARGV[8])
      if ARGV[5] ~= '' then redis.call('HSET', opKey, 'error_code', ARGV[5]) end
      if ARGV[6] ~= '' then redis.call('HSET', opKey, 'error_message', ARGV[6]) end
    else
      redis.call('HSET', opKey, 'state', 'succeeded', 'updated_at', ARGV[8])
      redis.call('HDEL', opKey, 'error_code', 'error_message')
    end
    redis.call('SREM', KEYS[2], ARGV[9])
    redis.call('PEXPIRE', opKey, ARGV[11])
  else
    local state = 'running'
    if phase == 0 then state = 'pending' end
    redis.call('HSET', opKey, 'state', state, 'updated_at', ARGV[8])
    redis.call('SADD', KEYS[2], ARGV[9])
  end
end
if ARGV[3] == 'deleted' and version % 16 >= 8 then
  local project = redis.call('HGET', KEYS[1], 'project')
  if project then
    redis.call('ZREM', ARGV[12] .. project, ARGV[9])
  end
  redis.call('ZREM', ARGV[13], ARGV[9])
end
return 1

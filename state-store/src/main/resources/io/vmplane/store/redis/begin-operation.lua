-- Begins a life-cycle operation on a VM if its precondition holds; one atomic check-and-set.
-- Returns {outcome, status, generation, operation_id} with outcome one of ACCEPTED, NOT_FOUND (unknown or deleted
-- VM), STALE (the VM's generation is not the expected one: the caller reads again), OPERATION_IN_PROGRESS (the VM's
-- current operation is pending or running), INVALID_STATE (the status is not one of the allowed ones). The values
-- after the outcome are the VM's as they hold afterwards. The new operation's steps begin with 'accepted'.
-- KEYS[1] VM hash, KEYS[2] new operation hash, KEYS[3] set of active VM ids
-- ARGV[1] expected current generation, ARGV[2] new generation, ARGV[3] new operation id, ARGV[4] kind,
-- ARGV[5] status of the accepted phase ('' = unchanged), ARGV[6] new version, ARGV[7] now (ISO-8601),
-- ARGV[8] deadline (ISO-8601), ARGV[9] VM id, ARGV[10] operation key prefix,
-- ARGV[11] the kinds of a current operation this one supersedes, comma-separated ('' = none): such an operation,
-- pending or running and begun replaceable, is cancelled (a step 'cancelled', the retention as its time to live)
-- instead of refusing, ARGV[12] operation retention (ms), ARGV[13] '1' when the new operation is replaceable,
-- ARGV[14 ..] the statuses the operation may start from (none = any)
local function answer(outcome)
  local vm = redis.call('HMGET', KEYS[1], 'status', 'generation', 'operation_id')
  return {outcome, vm[1] or '', vm[2] or '0', vm[3] or ''}
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'NOT_FOUND', '', '0', ''}
end
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'deleted' then
  return answer('NOT_FOUND')
end
if (redis.call('HGET', KEYS[1], 'generation') or '0') ~= ARGV[1] then
  return answer('STALE')
end
local current = redis.call('HGET', KEYS[1], 'operation_id')
local superseded = nil
if current then
  local currentKey = ARGV[10] .. current
  local state = redis.call('HGET', currentKey, 'state')
  if state == 'pending' or state == 'running' then
    local kind = redis.call('HGET', currentKey, 'kind') or ''
    local replaceable = redis.call('HGET', currentKey, 'replaceable') == '1'
    if replaceable and kind ~= '' and string.find(',' .. ARGV[11] .. ',', ',' .. kind .. ',', 1, true) then
      superseded = currentKey
    else
      return answer('OPERATION_IN_PROGRESS')
    end
  end
end
if #ARGV > 13 then
  local allowed = false
  for i = 14, #ARGV do
    if ARGV[i] == status then allowed = true end
  end
  if not allowed then
    return answer('INVALID_STATE')
  end
end
if superseded then
  local steps = {}
  local ok, decoded = pcall(cjson.decode, redis.call('HGET', superseded, 'steps') or '[]')
  if ok and type(decoded) == 'table' then steps = decoded end
  steps[#steps + 1] = {name = 'cancelled', state = status, at = ARGV[7]}
  redis.call('HSET', superseded, 'state', 'cancelled', 'updated_at', ARGV[7], 'steps', cjson.encode(steps))
  redis.call('PEXPIRE', superseded, ARGV[12])
end
local project = redis.call('HGET', KEYS[1], 'project')
local accepted = {name = 'accepted', state = status, at = ARGV[7]}
if ARGV[5] ~= '' then accepted.state = ARGV[5] end
redis.call('HSET', KEYS[2], 'id', ARGV[3], 'vm_id', ARGV[9], 'project', project, 'kind', ARGV[4],
  'state', 'pending', 'created_at', ARGV[7], 'updated_at', ARGV[7], 'steps', cjson.encode({accepted}))
if ARGV[13] == '1' then
  redis.call('HSET', KEYS[2], 'replaceable', '1')
end
local set = {'generation', ARGV[2], 'version', ARGV[6], 'operation_id', ARGV[3], 'deadline', ARGV[8],
  'updated_at', ARGV[7]}
if ARGV[5] ~= '' then
  set[#set + 1] = 'status'
  set[#set + 1] = ARGV[5]
end
redis.call('HSET', KEYS[1], unpack(set))
redis.call('SADD', KEYS[3], ARGV[9])
return answer('ACCEPTED')

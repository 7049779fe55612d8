-- Deletes a VM's unused console grants and tells every proxy to close the VM's sessions.
-- KEYS[1] the VM's token set; ARGV[1] the grant key prefix, ARGV[2] the revocation channel, ARGV[3] the VM id.
-- Atomic, so a grant issued concurrently is either deleted here or issued after the revocation.
local hashes = redis.call('SMEMBERS', KEYS[1])
for _, hash in ipairs(hashes) do
    redis.call('DEL', ARGV[1] .. hash)
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return #hashes

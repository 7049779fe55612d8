-- A consistent snapshot of a host's usage: { HGETALL usage hash, HKEYS PCI hash }.
-- KEYS[1] host's usage hash, KEYS[2] host's PCI hash
return {redis.call('HGETALL', KEYS[1]), redis.call('HKEYS', KEYS[2])}

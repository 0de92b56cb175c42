-- Datacenter leases: which agent replica probes a datacenter, and the epoch (fencing token) it probes under.
--
-- The lock itself is a PostgreSQL session advisory lock, pg_try_advisory_lock(1447121492, datacenter_id), held on
-- one dedicated connection of the leader (1447121492 is 'VANT' in ASCII: Vantage's namespace). These tables record
-- what the lock cannot: the epoch, which grows at every acquisition, and who held which epoch from when. The writer
-- uses that history to fence: a heartbeat of epoch e for a slot at or after the acquisition of a later epoch is not
-- written, so a replica that lost its lease can fill the gap before the takeover but never a slot the new leader
-- covers.

CREATE TABLE datacenter_leases (
    datacenter_id   integer PRIMARY KEY REFERENCES datacenters (id) ON DELETE CASCADE,
    epoch           bigint NOT NULL CHECK (epoch > 0),
    holder_agent_id integer REFERENCES agents (id) ON DELETE SET NULL,
    acquired_at     timestamptz NOT NULL,
    released_at     timestamptz
);
COMMENT ON TABLE datacenter_leases IS 'Current lease of each datacenter: one row, updated at every acquisition by the replica that took the advisory lock.';
COMMENT ON COLUMN datacenter_leases.datacenter_id IS 'Datacenter the lease is for.';
COMMENT ON COLUMN datacenter_leases.epoch IS 'Fencing token: incremented at every acquisition and stamped on heartbeats (api_heartbeats.lease_epoch).';
COMMENT ON COLUMN datacenter_leases.holder_agent_id IS 'Agent that acquired this epoch (agents.id).';
COMMENT ON COLUMN datacenter_leases.acquired_at IS 'Start of this epoch (database clock, 200 ms after the lock was taken): the holder probes slots from this instant on.';
COMMENT ON COLUMN datacenter_leases.released_at IS 'When the holder released the lease on a graceful shutdown; NULL while held or after a crash or loss.';

CREATE TABLE datacenter_lease_history (
    datacenter_id   integer NOT NULL REFERENCES datacenters (id) ON DELETE CASCADE,
    epoch           bigint NOT NULL CHECK (epoch > 0),
    holder_agent_id integer REFERENCES agents (id) ON DELETE SET NULL,
    acquired_at     timestamptz NOT NULL,
    released_at     timestamptz,
    PRIMARY KEY (datacenter_id, epoch)
);
COMMENT ON TABLE datacenter_lease_history IS 'Every lease epoch ever acquired, one row each: leader changes over time, and the fence of late heartbeats.';
COMMENT ON COLUMN datacenter_lease_history.datacenter_id IS 'Datacenter the lease is for.';
COMMENT ON COLUMN datacenter_lease_history.epoch IS 'The epoch (fencing token).';
COMMENT ON COLUMN datacenter_lease_history.holder_agent_id IS 'Agent that acquired it (agents.id).';
COMMENT ON COLUMN datacenter_lease_history.acquired_at IS 'Start of the epoch (database clock, 200 ms after the lock was taken). Heartbeats of older epochs for slots from this instant on are fenced off.';
COMMENT ON COLUMN datacenter_lease_history.released_at IS 'When the holder released it gracefully; NULL if it was lost (crash, partition, database restart) or is held.';

ALTER TABLE agents
    ADD COLUMN lease_epoch      bigint,
    ADD COLUMN lease_checked_at timestamptz;
COMMENT ON COLUMN agents.lease_epoch IS 'Lease epoch this agent holds while it is the leader; NULL otherwise.';
COMMENT ON COLUMN agents.lease_checked_at IS 'Last lease check: the leader''s last confirmation that it holds the lock, or a standby''s last attempt to take it.';
COMMENT ON TABLE agents IS 'Every agent process registers itself at start and refreshes its row every 2 s.';
COMMENT ON COLUMN agents.last_seen_at IS 'Last liveness refresh (every 2 s while running).';

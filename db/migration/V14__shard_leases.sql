-- Shard leases: several active agents per datacenter.
--
-- A datacenter's monitors are split into datacenters.shards shards: monitor m is in shard m mod shards (ids are
-- sequential, so shards stay even). Each shard has its own lease: the advisory lock (1447120468 + shard,
-- datacenter_id), which for shard 0 is the datacenter's lock of V2, and its own epochs, the rows of datacenter_leases
-- and datacenter_lease_history now keyed by (datacenter_id, shard). The writer fences each heartbeat by its monitor's
-- shard. With shards = 1 (the default) everything is as before: one lease, one leader, the others stand by.
--
-- The number of shards of a datacenter changes only while none of its agents runs: a running agent holds or waits
-- for shard locks computed from it.

ALTER TABLE datacenters ADD COLUMN shards smallint NOT NULL DEFAULT 1 CHECK (shards BETWEEN 1 AND 64);
COMMENT ON COLUMN datacenters.shards IS 'How many shards the datacenter''s monitors are split into (monitor id mod shards); each shard is leased and probed by one agent, so up to this many agents probe at once. Change it only while no agent of the datacenter runs.';

CREATE FUNCTION vantage_check_shards_change() RETURNS trigger
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
BEGIN
    IF NEW.shards IS DISTINCT FROM OLD.shards AND EXISTS (
            SELECT 1 FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted
              AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
              AND l.classid BETWEEN 1447120468::oid AND (1447120468 + 63)::oid
              AND l.objid = OLD.id::oid AND l.objsubid = 2) THEN
        RAISE EXCEPTION 'datacenter % (%): shards cannot change from % to % while its agents run: stop them, update, start them',
                OLD.code, OLD.id, OLD.shards, NEW.shards
            USING ERRCODE = 'object_in_use';
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION vantage_check_shards_change() IS 'Refuses to change datacenters.shards while an agent of the datacenter holds a shard lock.';
CREATE TRIGGER datacenters_shards_change BEFORE UPDATE OF shards ON datacenters
    FOR EACH ROW EXECUTE FUNCTION vantage_check_shards_change();

CREATE FUNCTION vantage_monitor_shard(monitor bigint, shards integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (monitor % greatest(shards, 1))::integer $$;
COMMENT ON FUNCTION vantage_monitor_shard(bigint, integer) IS 'The shard of a monitor: its id mod the datacenter''s shards (the agent computes the same in Java).';

-- ---------------------------------------------------------------------------------------------------------------
-- The ledger per shard
-- ---------------------------------------------------------------------------------------------------------------

ALTER TABLE datacenter_leases ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 63);
ALTER TABLE datacenter_leases DROP CONSTRAINT datacenter_leases_pkey;
ALTER TABLE datacenter_leases ADD PRIMARY KEY (datacenter_id, shard);
COMMENT ON COLUMN datacenter_leases.shard IS 'Shard of the datacenter the lease is for (0 when the datacenter has one shard).';
COMMENT ON TABLE datacenter_leases IS 'Current lease of each shard of each datacenter: one row, updated at every acquisition by the replica that took the shard''s advisory lock.';

ALTER TABLE datacenter_lease_history ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 63);
ALTER TABLE datacenter_lease_history DROP CONSTRAINT datacenter_lease_history_pkey;
ALTER TABLE datacenter_lease_history ADD PRIMARY KEY (datacenter_id, shard, epoch);
COMMENT ON COLUMN datacenter_lease_history.shard IS 'Shard of the datacenter the epoch is for.';

COMMENT ON COLUMN api_heartbeats.lease_epoch IS 'Epoch of the lease of the monitor''s shard the agent held (fencing token); NULL before leases are in use and for pushed beats.';

ALTER TABLE agents ADD COLUMN shards text;
COMMENT ON COLUMN agents.shards IS 'Shards of its datacenter this agent leads now, e.g. 0-3,8 (NULL when it leads none).';

-- Epochs grow by one per shard.
CREATE OR REPLACE FUNCTION vantage_check_epoch() RETURNS trigger
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    previous bigint;
BEGIN
    IF vantage_owns_table(TG_RELID) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        previous := OLD.epoch;
        IF NEW.epoch = OLD.epoch OR (TG_TABLE_NAME <> 'datacenter_lease_history' AND NEW.epoch = OLD.epoch + 1) THEN
            RETURN NEW;
        END IF;
    ELSIF TG_TABLE_NAME = 'monitor_leases' THEN
        previous := 0;
        IF NEW.epoch = 1 THEN
            RETURN NEW;
        END IF;
    ELSE
        SELECT coalesce(max(h.epoch), 0) INTO previous FROM datacenter_lease_history h
        WHERE h.datacenter_id = NEW.datacenter_id AND h.shard = NEW.shard;
        IF NEW.epoch = previous + 1 THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '%: epoch % refused, the previous epoch is % and epochs grow by one', TG_TABLE_NAME, NEW.epoch,
            previous
        USING ERRCODE = 'check_violation';
END
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Taking a shard's lease
-- ---------------------------------------------------------------------------------------------------------------

-- V10's vantage_take_datacenter_lease for one shard: the calling session holds the shard's advisory lock
-- (1447120468 + shard, datacenter), an agent login is bound to that datacenter, the holder agent row is of that
-- datacenter, and the shard exists. clock_timestamp() in the upsert is evaluated after the row lock is granted, so
-- after every writer transaction that holds the row FOR SHARE has committed.
CREATE FUNCTION vantage_take_shard_lease(datacenter integer, shard_index integer, agent integer, coverage_delay interval)
    RETURNS TABLE (lease_epoch bigint, lease_acquired_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    bound integer;
    shard_count integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_locks l
                   WHERE l.locktype = 'advisory' AND l.pid = pg_backend_pid() AND l.granted
                     AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
                     AND l.classid = (1447120468 + shard_index)::oid AND l.objid = datacenter::oid AND l.objsubid = 2) THEN
        RAISE EXCEPTION 'datacenter % shard % lease refused: this session does not hold the advisory lock (%, %)',
                datacenter, shard_index, 1447120468 + shard_index, datacenter
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF vantage_agent_rules_apply() THEN
        bound := vantage_agent_datacenter();
        IF bound IS DISTINCT FROM datacenter THEN
            RAISE EXCEPTION 'datacenter % lease refused: login % is bound to datacenter %', datacenter, session_user,
                    coalesce(bound::text, '(none)')
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF agent IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = agent AND a.datacenter_id = datacenter)
    THEN
        RAISE EXCEPTION 'datacenter % lease refused: agent % is not an agent of that datacenter', datacenter, agent
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT d.shards INTO shard_count FROM datacenters d WHERE d.id = datacenter;
    IF shard_index IS NULL OR shard_index < 0 OR shard_index >= coalesce(shard_count, 1) THEN
        RAISE EXCEPTION 'datacenter % lease refused: shard % does not exist (the datacenter has % shards)', datacenter,
                shard_index, coalesce(shard_count, 1)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH lease AS (
        INSERT INTO datacenter_leases AS l (datacenter_id, shard, epoch, holder_agent_id, acquired_at)
        VALUES (datacenter, shard_index,
                (SELECT coalesce(max(h.epoch), 0) + 1 FROM datacenter_lease_history h
                 WHERE h.datacenter_id = datacenter AND h.shard = shard_index),
                agent, clock_timestamp() + coverage_delay)
        ON CONFLICT (datacenter_id, shard) DO UPDATE
            SET epoch = l.epoch + 1, holder_agent_id = excluded.holder_agent_id,
                acquired_at = clock_timestamp() + coverage_delay, released_at = NULL
        RETURNING l.datacenter_id, l.shard, l.epoch, l.holder_agent_id, l.acquired_at)
    INSERT INTO datacenter_lease_history AS h (datacenter_id, shard, epoch, holder_agent_id, acquired_at)
    SELECT lease.datacenter_id, lease.shard, lease.epoch, lease.holder_agent_id, lease.acquired_at FROM lease
    RETURNING h.epoch, h.acquired_at;
END
$$;
COMMENT ON FUNCTION vantage_take_shard_lease(integer, integer, integer, interval) IS 'Records a new epoch (previous + 1) of the lease of one shard of a datacenter for the session that holds its advisory lock; an agent login only for its own datacenter.';
REVOKE EXECUTE ON FUNCTION vantage_take_shard_lease(integer, integer, integer, interval) FROM PUBLIC;

-- V10's function, for an agent of an older version during a rolling upgrade: shard 0.
CREATE OR REPLACE FUNCTION vantage_take_datacenter_lease(datacenter integer, agent integer, coverage_delay interval)
    RETURNS TABLE (lease_epoch bigint, lease_acquired_at timestamptz)
    LANGUAGE sql SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
    SELECT * FROM vantage_take_shard_lease(datacenter, 0, agent, coverage_delay)
$$;

-- vantage_lock_holder (V10) for a shard's lock: the holder of (1447120468 + shard, datacenter).
CREATE FUNCTION vantage_lock_holder(lock_key integer, lock_shard integer)
    RETURNS TABLE (holder_pid integer, holder_login text, holder_application text, holder_address text,
                   holder_is_vantage boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
    SELECT l.pid, r.rolname::text, a.application_name, host(a.client_addr),
           CASE WHEN r.oid IS NULL THEN false
                WHEN r.rolsuper OR pg_has_role(r.oid, (SELECT c.relowner FROM pg_class c
                                                       WHERE c.oid = 'datacenter_leases'::regclass), 'MEMBER') THEN true
                WHEN lock_key = 0 THEN CASE WHEN to_regrole('vantage_monitor') IS NULL THEN false
                                            ELSE pg_has_role(r.oid, 'vantage_monitor', 'USAGE') END
                ELSE CASE WHEN to_regrole('vantage_agent') IS NULL THEN false
                          ELSE pg_has_role(r.oid, 'vantage_agent', 'USAGE')
                               AND EXISTS (SELECT 1 FROM agent_logins b
                                           WHERE b.login = r.rolname AND b.datacenter_id = lock_key) END
           END
    FROM pg_locks l
    LEFT JOIN pg_stat_activity a ON a.pid = l.pid
    LEFT JOIN pg_roles r ON r.oid = a.usesysid
    WHERE l.locktype = 'advisory' AND l.granted
      AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
      AND l.classid = (1447120468 + lock_shard)::oid AND l.objid = lock_key::oid AND l.objsubid = 2
$$;
COMMENT ON FUNCTION vantage_lock_holder(integer, integer) IS 'The backend that holds the advisory lock of a datacenter''s shard (1447120468 + shard, key): pid, login, application_name, client address, and whether it is a Vantage login for that key.';
REVOKE EXECUTE ON FUNCTION vantage_lock_holder(integer, integer) FROM PUBLIC;

-- V10's function is shard 0's: one body for both, so the two cannot drift apart.
CREATE OR REPLACE FUNCTION vantage_lock_holder(lock_key integer)
    RETURNS TABLE (holder_pid integer, holder_login text, holder_application text, holder_address text,
                   holder_is_vantage boolean)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
    SELECT * FROM vantage_lock_holder(lock_key, 0)
$$;

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: V10's function, then what this version adds
-- ---------------------------------------------------------------------------------------------------------------

ALTER FUNCTION vantage_grant_roles() RENAME TO vantage_grant_roles_v10;
COMMENT ON FUNCTION vantage_grant_roles_v10() IS 'The grants of schema 10; vantage_grant_roles() runs it first.';

CREATE FUNCTION vantage_grant_roles() RETURNS text[]
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    granted text[];
BEGIN
    granted := vantage_grant_roles_v10();
    IF to_regrole('vantage_agent') IS NOT NULL THEN
        -- AgentDao.touch: which shards the agent leads. ShardBalancer: takes shards through the shard function.
        GRANT UPDATE (shards) ON agents TO vantage_agent;
        GRANT EXECUTE ON FUNCTION vantage_take_shard_lease(integer, integer, integer, interval) TO vantage_agent;
        GRANT EXECUTE ON FUNCTION vantage_lock_holder(integer, integer) TO vantage_agent;
    END IF;
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        GRANT EXECUTE ON FUNCTION vantage_lock_holder(integer, integer) TO vantage_monitor;
    END IF;
    IF to_regrole('vantage_agent') IS NULL OR to_regrole('vantage_monitor') IS NULL THEN
        GRANT EXECUTE ON FUNCTION vantage_take_shard_lease(integer, integer, integer, interval) TO PUBLIC;
        GRANT EXECUTE ON FUNCTION vantage_lock_holder(integer, integer) TO PUBLIC;
    END IF;
    RETURN granted;
END
$$;
COMMENT ON FUNCTION vantage_grant_roles() IS 'Grants vantage_agent, vantage_monitor and vantage_reader (those that exist) exactly what Vantage needs; idempotent. Run by the migrations, and by the owner of the tables after creating the roles by hand.';
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vantage_grant_roles_v10() FROM PUBLIC;

SELECT vantage_grant_roles();

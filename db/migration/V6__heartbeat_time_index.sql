-- Vantage schema, version 6: a BRIN index on api_heartbeats.scheduled_at.
--
-- Daily partitions narrow a time filter to a day, not to the hour the status report, Grafana panels and the rollups
-- ask for: without an index on the time, "the last hour" reads the whole day. Heartbeats arrive in roughly
-- scheduled_at order, which is what BRIN summarises (the time range of each block range), at almost no cost to
-- inserts, unlike a b-tree. Late rows (a replayed journal) only widen the ranges they land in.
CREATE INDEX api_heartbeats_scheduled_brin ON api_heartbeats USING brin (scheduled_at);
COMMENT ON INDEX api_heartbeats_scheduled_brin IS 'Block ranges by scheduled_at: time-window scans read the blocks of that window only.';

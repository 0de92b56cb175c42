-- monitor_cursor.updated_at is how every monitor replica, and vantage status, tell that evaluation goes on: the
-- leader's every round moves it, even a round that read no heartbeat (HeartbeatCursor.save, in the round's
-- transaction). No column changes; the comment says what the code has always done and what now depends on it.
COMMENT ON COLUMN monitor_cursor.updated_at IS 'When the last evaluation round committed (every round sets it, with or without new heartbeats). Older than VANTAGE_STALL_AFTER (default 60 s): evaluation has stalled, /readyz answers 503 and vantage_evaluation_stalled is 1.';

-- Monitors as code (vantage apply, issue 16): which configuration rows a YAML object named by the user stands for.
-- apply finds a YAML object's row here first (so that a row keeps its identity whatever SQL does to its name), then by
-- name among the rows of its kind, else creates it. --prune deletes only rows recorded here with origin 'created':
-- a row made in SQL is never deleted by apply, even once apply has adopted it by name. The configuration tables get
-- no new column, so the queries written against them keep working.

CREATE TABLE applied_objects (
    kind       text NOT NULL CONSTRAINT applied_objects_kind_check CHECK (kind IN ('schedule', 'channel', 'monitor')),
    name       text NOT NULL,
    row_id     integer NOT NULL,
    origin     text NOT NULL CONSTRAINT applied_objects_origin_check CHECK (origin IN ('created', 'adopted')),
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, name),
    CONSTRAINT applied_objects_row_key UNIQUE (kind, row_id)
);
COMMENT ON TABLE applied_objects IS 'Rows of schedules, notification_channels and api_monitors that vantage apply manages, by the name the YAML files give them. No foreign key (three tables): a record whose row was deleted in SQL is ignored and dropped by the next apply.';
COMMENT ON COLUMN applied_objects.kind IS 'schedule (schedules), channel (notification_channels) or monitor (api_monitors).';
COMMENT ON COLUMN applied_objects.name IS 'The object''s name in the YAML files (unique per kind there).';
COMMENT ON COLUMN applied_objects.row_id IS 'id of the row in the table of its kind.';
COMMENT ON COLUMN applied_objects.origin IS 'created (apply inserted the row: --prune may delete it once the files no longer name it) or adopted (the row existed, made in SQL, and apply matched it by name: never deleted by apply).';
COMMENT ON COLUMN applied_objects.applied_at IS 'When an apply last wrote the record.';

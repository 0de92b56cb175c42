-- Public monitors: a monitor whose public flag is set may be shown without the status token, on badges
-- (/badge/<id or slug>/status.svg and uptime.svg). A slug is an optional stable name for such URLs, so that a README
-- badge survives a monitor being renamed and does not expose the numeric id.

ALTER TABLE api_monitors
    ADD COLUMN public boolean NOT NULL DEFAULT false,
    ADD COLUMN slug varchar(64) UNIQUE
        CONSTRAINT api_monitors_slug_format CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$' AND slug !~ '^[0-9]+$');
COMMENT ON COLUMN api_monitors.public IS 'true lets anyone read this monitor''s state and uptime badges without the status token; false (default) answers 404 there.';
COMMENT ON COLUMN api_monitors.slug IS 'Optional name for URLs such as /badge/<slug>/status.svg: lowercase letters, digits and inner dashes, 1 to 64 characters, not all digits (those name ids). Unique.';

-- ---------------------------------------------------------------------------------------------------------------
-- Grants: the previous function, then what this version adds
-- ---------------------------------------------------------------------------------------------------------------

ALTER FUNCTION vantage_grant_roles() RENAME TO vantage_grant_roles_before_v19;
COMMENT ON FUNCTION vantage_grant_roles_before_v19() IS 'The grants of the schema before version 19; vantage_grant_roles() runs it first.';

CREATE FUNCTION vantage_grant_roles() RETURNS text[]
    LANGUAGE plpgsql SET search_path = "${flyway:defaultSchema}", pg_temp AS $$
DECLARE
    granted text[];
BEGIN
    granted := vantage_grant_roles_before_v19();
    IF to_regrole('vantage_monitor') IS NOT NULL THEN
        -- The monitor serves the badges of public monitors.
        GRANT SELECT (public, slug) ON api_monitors TO vantage_monitor;
    END IF;
    IF to_regrole('vantage_reader') IS NOT NULL THEN
        GRANT SELECT (public, slug) ON api_monitors TO vantage_reader;
    END IF;
    RETURN granted;
END
$$;
COMMENT ON FUNCTION vantage_grant_roles() IS 'Grants vantage_agent, vantage_monitor and vantage_reader (those that exist) exactly what Vantage needs; idempotent. Run by the migrations, and by the owner of the tables after creating the roles by hand.';
REVOKE EXECUTE ON FUNCTION vantage_grant_roles() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION vantage_grant_roles_before_v19() FROM PUBLIC;

SELECT vantage_grant_roles();

package dev.vantage.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Reads the configuration users edit with SQL. */
@RegisterConstructorMapper(MonitorRow.class)
@RegisterConstructorMapper(DatacenterRow.class)
public interface ConfigDao {
    /** The largest request body (api_monitors.body, in UTF-8 bytes) a monitor may have; a longer one is not loaded. */
    int MAX_BODY_BYTES = 64 << 10;
    /** The largest api_monitors.headers (its JSON text, in UTF-8 bytes); a longer one is not loaded. */
    int MAX_HEADERS_BYTES = 32 << 10;

    /**
     * The columns of a {@link MonitorRow}, from {@code api_monitors m} and {@code schedules s}. PostgreSQL measures
     * {@code body} and {@code headers} and sends neither when it is over its limit: a row too large to hold is then an
     * invalid row ({@link MonitorRow#oversized}), never a value that runs the loading thread out of memory.
     */
    String MONITOR_COLUMNS = "m.id, m.name, m.type, m.method, m.url,"
            + " CASE WHEN octet_length(m.headers::text) <= " + MAX_HEADERS_BYTES
            + " THEN m.headers::text END AS headers_json, octet_length(m.headers::text) AS headers_bytes,"
            + " CASE WHEN octet_length(m.body) <= " + MAX_BODY_BYTES
            + " THEN m.body END AS body, octet_length(m.body) AS body_bytes,"
            + " m.settings::text AS settings_json, m.enabled, m.timeout_ms,"
            + " s.id AS schedule_id, s.interval AS interval_seconds, s.include_response_body,"
            + " s.thresholds_warning, s.thresholds_critical\n";

    /**
     * The monitors a datacenter's agent probes. Push monitors are left out: nothing probes them (their beats come to
     * the monitor's ping endpoints), so one assigned to a datacenter by mistake is neither probed nor reported as an
     * invalid row.
     */
    @SqlQuery(
            "SELECT " + MONITOR_COLUMNS
                    + """
            FROM datacenter_monitors dm
            JOIN api_monitors m ON m.id = dm.monitor_id
            JOIN schedules s ON s.id = m.schedule_id
            WHERE dm.datacenter_id = :datacenterId AND lower(btrim(m.type)) <> 'push'
            ORDER BY m.id
            """)
    List<MonitorRow> listMonitors(@Bind("datacenterId") int datacenterId);

    @SqlQuery("SELECT id, code, name, shards FROM datacenters WHERE id = :id")
    Optional<DatacenterRow> findDatacenterById(@Bind("id") int id);

    @SqlQuery("SELECT id, code, name, shards FROM datacenters WHERE lower(code) = lower(:code)")
    Optional<DatacenterRow> findDatacenterByCode(@Bind("code") String code);

    @SqlQuery("SELECT id, code, name, shards FROM datacenters ORDER BY id")
    List<DatacenterRow> listDatacenters();
}

package dev.vantage.store;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * What the push endpoints read: the tokens and subjects of push monitors (type {@code push}, case-insensitive, as everywhere), and
 * the start beat a finish with a run id ends. Heartbeats are written by the heartbeat writer, not here.
 */
@RegisterConstructorMapper(PushTokenRow.class)
public interface PushDao {

    @SqlQuery(
            """
            SELECT id, enabled, push_token, push_subject FROM api_monitors
            WHERE (push_token IS NOT NULL OR push_subject IS NOT NULL) AND lower(btrim(type)) = 'push'
            """)
    List<PushTokenRow> listTokens();

    /** One token, when the loaded ones lack it (a monitor inserted since the last reload). */
    @SqlQuery(
            """
            SELECT id, enabled, push_token, push_subject FROM api_monitors
            WHERE push_token = :token AND lower(btrim(type)) = 'push'
            """)
    Optional<PushTokenRow> findToken(@Bind("token") String token);

    /** One subject, when the loaded ones lack it (a monitor inserted or registered since the last reload). */
    @SqlQuery(
            """
            SELECT id, enabled, push_token, push_subject FROM api_monitors
            WHERE push_subject = :subject AND lower(btrim(type)) = 'push'
            """)
    Optional<PushTokenRow> findSubject(@Bind("subject") String subject);

    /**
     * When the newest start beat of the monitor with this run id was received, if it was received since {@code since}:
     * a finish that another replica's start began. Both bounds on time keep it to the recent partitions and the
     * (monitor_id, executed_at) index.
     */
    @SqlQuery(
            """
            SELECT executed_at FROM api_heartbeats
            WHERE monitor_id = :monitorId AND datacenter_id = 0 AND beat_kind = 'start' AND details ->> 'rid' = :rid
              AND executed_at >= :since AND scheduled_at >= :since
            ORDER BY executed_at DESC
            LIMIT 1
            """)
    Optional<OffsetDateTime> findStart(
            @Bind("monitorId") int monitorId, @Bind("rid") String rid, @Bind("since") OffsetDateTime since);
}

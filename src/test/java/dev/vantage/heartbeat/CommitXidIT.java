package dev.vantage.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.evaluate.Observation;
import dev.vantage.monitor.HeartbeatCursor;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both ways the writer inserts (COPY straight into api_heartbeats, and COPY into the staging table then INSERT ...
 * SELECT) leave commit_xid to its default, so every row carries the id of the transaction that wrote it, and the
 * monitor module's cursor reads it.
 */
@ExtendWith(PostgresExtension.class)
class CommitXidIT {
    private record Written(boolean success, long rows, long withXid, long distinctXids, long xid) {}

    @Test
    void bothWaysOfTheWriterStampEveryRowWithItsTransactionId(TestDatabase db) throws Exception {
        var cursor = new HeartbeatCursor();
        var start = db.jdbi().inTransaction(cursor::load);
        Instant slot = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        var direct = new ArrayList<HeartbeatRow>();
        var staged = new ArrayList<HeartbeatRow>();
        for (int i = 0; i < 5; i++) {
            direct.add(HeartbeatRow.of(WriterIT.heartbeat(7_000 + i, slot, true)));
            staged.add(HeartbeatRow.of(WriterIT.heartbeat(7_100 + i, slot, false)));
        }
        var inserter = new HeartbeatInserter(db.dataSource(), Duration.ofSeconds(10));

        assertThat(inserter.insertDirect(direct)).isEqualTo(5);
        assertThat(inserter.insertStaged(staged).inserted()).isEqualTo(5);

        // success true: the direct batch; false: the staged one.
        List<Written> written = db.jdbi().withHandle(h -> h.createQuery("SELECT success, count(*), count(commit_xid),"
                        + " count(DISTINCT commit_xid), min(commit_xid::text::bigint) FROM api_heartbeats"
                        + " WHERE monitor_id BETWEEN 7000 AND 7199 GROUP BY success ORDER BY success DESC")
                .map((rs, ctx) ->
                        new Written(rs.getBoolean(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
                .list());
        assertThat(written).hasSize(2).allSatisfy(w -> {
            assertThat(w.withXid()).isEqualTo(w.rows()).isEqualTo(5); // no NULL: the default applied
            assertThat(w.distinctXids()).isOne(); // one transaction per batch
        });
        assertThat(written.get(0).xid()).isNotEqualTo(written.get(1).xid());

        List<Observation> read =
                db.jdbi().inTransaction(h -> cursor.read(h, start, 100).observations());
        assertThat(read)
                .extracting(Observation::monitorId)
                .containsExactlyInAnyOrder(7_000, 7_001, 7_002, 7_003, 7_004, 7_100, 7_101, 7_102, 7_103, 7_104);
    }
}

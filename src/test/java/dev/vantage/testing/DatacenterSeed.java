package dev.vantage.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The configuration rows of one datacenter as a user would insert them with SQL: a region, the datacenter, one
 * schedule and a few HTTP monitors aimed at a loopback target, all assigned to the datacenter.
 *
 * @param datacenterId the datacenter's id
 * @param code its code, as DATACENTER_ID may give it
 * @param monitorIds the monitors it runs, in id order
 * @param interval the schedule's interval
 */
public record DatacenterSeed(int datacenterId, String code, List<Long> monitorIds, Duration interval) {

    public DatacenterSeed {
        monitorIds = List.copyOf(monitorIds);
    }

    /** Region us-east-1, datacenter {@code code}, an every-{@code interval} schedule and {@code monitors} monitors. */
    public static DatacenterSeed seed(TestDatabase db, String code, String targetUrl, int monitors, Duration interval) {
        if (interval.toMillis() % 1000 != 0 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("schedules take whole seconds, was " + interval);
        }
        long region = db.count("INSERT INTO regions (name, region_code, group_name)"
                + " VALUES ('US East', 'us-east-1', 'US') ON CONFLICT (region_code) DO UPDATE SET name = excluded.name"
                + " RETURNING id");
        int datacenter = (int) db.count(
                "INSERT INTO datacenters (code, name, region_id) VALUES (?, ?, ?) RETURNING id",
                code,
                "Datacenter " + code,
                region);
        long schedule = db.count(
                "INSERT INTO schedules (name, interval) VALUES (?, ?) RETURNING id",
                "every " + interval.toSeconds() + " s",
                (int) interval.toSeconds());
        var ids = new ArrayList<Long>();
        for (int i = 1; i <= monitors; i++) {
            long id = db.count(
                    "INSERT INTO api_monitors (name, type, url, schedule_id) VALUES (?, 'http', ?, ?) RETURNING id",
                    code + " fast " + i,
                    targetUrl,
                    schedule);
            db.execute("INSERT INTO datacenter_monitors (datacenter_id, monitor_id) VALUES (?, ?)", datacenter, id);
            ids.add(id);
        }
        return new DatacenterSeed(datacenter, code, ids, interval);
    }
}

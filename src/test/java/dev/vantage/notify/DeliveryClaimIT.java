package dev.vantage.notify;

import static dev.vantage.notify.DeliveryIT.FAST;
import static dev.vantage.notify.DeliveryIT.attempts;
import static dev.vantage.notify.DeliveryIT.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vantage.Meters;
import dev.vantage.VantageException;
import dev.vantage.store.Fence;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.PostgresExtension;
import dev.vantage.testing.PostgresExtension.Fresh;
import dev.vantage.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Claims: expiry after a dead sender, two deliveries on one database, the lease fence and the active switch. */
@ExtendWith(PostgresExtension.class)
class DeliveryClaimIT {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpReceiver receiver = HttpReceiver.start();
    private final Map<Integer, ChannelDirectory.Sender> senders = new HashMap<>();
    private final List<Delivery> deliveries = new ArrayList<>();

    @AfterEach
    void stop() {
        deliveries.forEach(Delivery::close);
        receiver.close();
    }

    private Delivery start(TestDatabase db, Fence fence, BooleanSupplier active) {
        var d = new Delivery(db.jdbi(), id -> Optional.ofNullable(senders.get(id)), fence, active, FAST, registry);
        deliveries.add(d);
        d.start();
        return d;
    }

    private int webhook(OutboxSeed seed, String name) {
        int id = seed.channel(name, "webhook");
        senders.put(id, new LoopbackWebhook(receiver.uri("/" + name)));
        return id;
    }

    @Test
    void aRowClaimedByADeadDeliveryIsSentOnceItsClaimExpires(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        long id = seed.enqueue(seed.incident(1), channel, Event.FIRING);
        // What a delivery killed mid-send leaves behind: a counted attempt and a claim in the future.
        db.execute("UPDATE notifications SET attempts = 1, claimed_until = now() + interval '1 hour' WHERE id = ?", id);

        var delivery = start(db, Fence.NONE, () -> true);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> receiver.requests()
                .isEmpty());
        db.execute("UPDATE notifications SET claimed_until = now() - interval '1 second' WHERE id = ?", id);
        delivery.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> status(db, id).equals("delivered"));

        assertThat(receiver.requests()).singleElement().satisfies(r -> {
            assertThat(r.header("webhook-id")).isEqualTo(Long.toString(id));
            assertThat(r.header("x-dedup-key")).isEqualTo("vantage-incident-1");
        });
        assertThat(attempts(db, id)).containsExactly("2 delivered 200");
    }

    @Test
    void twoDeliveriesOnOneDatabaseSendEveryRowOnceAndInOrder(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int a = webhook(seed, "a");
        int b = webhook(seed, "b");
        var ids = new ArrayList<Long>();
        for (int m = 1; m <= 20; m++) {
            long incident = seed.incident(m);
            for (int channel : List.of(a, b)) {
                ids.add(seed.enqueue(incident, channel, Event.FIRING));
                ids.add(seed.enqueue(incident, channel, Event.RESOLVED));
            }
        }

        start(db, Fence.NONE, () -> true);
        start(db, Fence.NONE, () -> true);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE status = 'delivered'") == ids.size());

        var requests = receiver.requests();
        var sent = requests.stream()
                .map(r -> Long.parseLong(r.header("webhook-id")))
                .toList();
        assertThat(sent).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(db.count("SELECT count(*) FROM notifications WHERE attempts <> 1"))
                .isZero();
        // Per incident and channel, the firing (smaller id) reached the receiver before the resolved.
        Map<String, List<Long>> byIncidentAndChannel = requests.stream()
                .collect(Collectors.groupingBy(
                        r -> r.header("x-dedup-key") + r.path(),
                        Collectors.mapping(r -> Long.parseLong(r.header("webhook-id")), Collectors.toList())));
        assertThat(byIncidentAndChannel).hasSize(40).allSatisfy((key, order) -> assertThat(order)
                .isSorted());
    }

    @Test
    void aDeliveryWhoseFenceFailsClaimsNothingAndKeepsRunning(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        long id = seed.enqueue(seed.incident(1), channel, Event.FIRING);
        db.execute(
                "INSERT INTO monitor_leases (name, epoch, holder, acquired_at) VALUES ('monitor', 2, 'other', now())");
        var held = new AtomicLong(1);
        Fence fence = h -> {
            long epoch = h.createQuery("SELECT epoch FROM monitor_leases WHERE name = 'monitor' FOR SHARE")
                    .mapTo(Long.class)
                    .one();
            if (epoch != held.get()) {
                throw new VantageException("monitor lease epoch " + held.get() + " lost to " + epoch);
            }
        };

        start(db, fence, () -> true);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.get(Meters.LOOP_ERRORS)
                                .tags("loop", "delivery")
                                .counter()
                                .count()
                        >= 3);
        assertThat(receiver.requests()).isEmpty();
        assertThat(db.count("SELECT count(*) FROM notifications WHERE attempts = 0 AND claimed_until IS NULL"))
                .isEqualTo(1);

        held.set(2); // this process holds the lease again
        await().atMost(Duration.ofSeconds(5)).until(() -> status(db, id).equals("delivered"));
    }

    @Test
    void anInactiveDeliveryClaimsNothingUntilItBecomesActive(@Fresh TestDatabase db) {
        var seed = new OutboxSeed(db);
        int channel = webhook(seed, "ops");
        long id = seed.enqueue(seed.incident(1), channel, Event.FIRING);
        var active = new AtomicBoolean(false);

        var delivery = start(db, Fence.NONE, active::get);
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(2))
                .until(() -> db.count("SELECT attempts FROM notifications") == 0);
        assertThat(registry.get(Meters.OUTBOX_PENDING).gauge().value()).isNaN();

        active.set(true);
        delivery.wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> status(db, id).equals("delivered"));
        assertThat(receiver.requests()).hasSize(1);
    }
}

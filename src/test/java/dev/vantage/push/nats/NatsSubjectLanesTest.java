package dev.vantage.push.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lanes NATS beats are taken by: in order per subject, at once across subjects, bounded. */
class NatsSubjectLanesTest {
    private record Item(String subject, int n) {}

    @Test
    void aSubjectsItemsRunInOrderOneAtATimeWhileOtherSubjectsRunAtOnce() throws Exception {
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        var running = new ConcurrentHashMap<String, AtomicInteger>();
        var overlapWithinASubject = new AtomicInteger();
        var atOnce = new AtomicInteger();
        var mostAtOnce = new AtomicInteger();
        var lanes = new SubjectLanes<Item>(
                1_000,
                item -> {
                    if (running.computeIfAbsent(item.subject(), s -> new AtomicInteger())
                                    .incrementAndGet()
                            > 1) {
                        overlapWithinASubject.incrementAndGet();
                    }
                    mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(2); // a commit
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.computeIfAbsent(item.subject(), s -> new CopyOnWriteArrayList<>())
                            .add(item.n());
                    atOnce.decrementAndGet();
                    running.get(item.subject()).decrementAndGet();
                },
                () -> {});

        for (int n = 0; n < 50; n++) {
            for (int s = 0; s < 20; s++) {
                assertThat(lanes.submit("s" + s, new Item("s" + s, n), Duration.ofSeconds(5)))
                        .isTrue();
            }
        }

        assertThat(lanes.awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertThat(seen).hasSize(20);
        seen.values().forEach(ns -> assertThat(ns).isSorted().hasSize(50));
        assertThat(overlapWithinASubject).hasValue(0);
        assertThat(mostAtOnce.get())
                .as("subjects wait for their commits at once")
                .isGreaterThan(1);
    }

    @Test
    void pastItsBoundSubmitWaitsAndGivesUpInTime() throws Exception {
        var release = new CountDownLatch(1);
        var lanes = new SubjectLanes<Item>(
                2,
                item -> {
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                () -> {});

        assertThat(lanes.submit("a", new Item("a", 1), Duration.ZERO)).isTrue();
        assertThat(lanes.submit("b", new Item("b", 1), Duration.ZERO)).isTrue();
        assertThat(lanes.submit("c", new Item("c", 1), Duration.ofMillis(50))).isFalse();
        assertThat(lanes.awaitIdle(Duration.ofMillis(50))).isFalse();

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> lanes.awaitIdle(Duration.ZERO));
        assertThat(lanes.submit("c", new Item("c", 1), Duration.ZERO)).isTrue();
    }
}

package dev.vantage.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** No slot between two epochs is nobody's, and none is anybody's twice. */
class TermsTest {
    private static final Instant T = Instant.parse("2026-11-23T12:00:00Z");
    private final Terms terms = new Terms();

    @Test
    void anEpochCoversTheSlotsFromItsStartOn() {
        assertThat(terms.epochFor(T)).isEmpty();
        terms.acquired(3, T);
        assertThat(terms.epochFor(T.minusMillis(1))).isEmpty();
        assertThat(terms.epochFor(T)).hasValue(3);
        assertThat(terms.epochFor(T.plusSeconds(3600))).hasValue(3);
    }

    @Test
    void aReplicaThatRetakesTheLockProbesTheSlotsBeforeTheNewStartUnderTheOldEpoch() {
        terms.acquired(3, T);
        terms.acquired(4, T.plusSeconds(10));
        assertThat(terms.epochFor(T.plusMillis(9_999))).hasValue(3);
        assertThat(terms.epochFor(T.plusSeconds(10))).hasValue(4);
        assertThat(terms.keep(3, T.plusSeconds(9))).isTrue();
    }

    @Test
    void aLeaderThatLostTheLockCoversOnlyTheSlotsBeforeItsSuccessorThenNothing() {
        terms.acquired(3, T);
        Instant successor = T.plusSeconds(10);

        terms.endAt(successor);
        assertThat(terms.epochFor(successor.minusMillis(1))).hasValue(3);
        assertThat(terms.epochFor(successor)).isEmpty();

        terms.lost(successor);
        assertThat(terms.epochFor(successor.minusMillis(1))).isEmpty();
        // A probe of a slot before the successor's start that finishes late is still written; one after, never.
        assertThat(terms.keep(3, successor.minusMillis(1))).isTrue();
        assertThat(terms.keep(3, successor)).isFalse();
        assertThat(terms.keep(4, successor)).isTrue();
    }

    @Test
    void aLossWithAnUnknownSuccessorKeepsNothingOfTheLostEpoch() {
        terms.acquired(3, T);
        terms.lost(null);
        assertThat(terms.keep(3, T)).isFalse();
        assertThat(terms.keep(2, T.plusSeconds(1))).isFalse();
    }

    @Test
    void aRetakeAfterALossDoesNotRestoreTheLostEpoch() {
        terms.acquired(3, T);
        terms.lost(T.plusSeconds(5));
        terms.acquired(5, T.plusSeconds(20));
        assertThat(terms.epochFor(T.plusSeconds(6))).isEmpty();
        assertThat(terms.epochFor(T.plusSeconds(20))).hasValue(5);
    }
}

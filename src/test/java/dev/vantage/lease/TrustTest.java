package dev.vantage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrustTest {
    private static final long S = 1_000_000_000L;

    @Test
    void aVerdictIsTrustedUntilTheWindowAfterTheStartOfItsCheck() {
        var trust = new Trust(Duration.ofSeconds(6));
        assertThat(trust.trustedAt(0)).isFalse();

        trust.renew(10 * S); // the check started at 10 s, however long it took
        assertThat(trust.trustedAt(12 * S)).isTrue();
        assertThat(trust.trustedAt(16 * S - 1)).isTrue();
        assertThat(trust.trustedAt(16 * S)).isFalse();
        assertThat(trust.remainingAt(13 * S)).isEqualTo(3 * S);
    }

    @Test
    void aProcessFrozenPastTheWindowWakesUntrusted() {
        var trust = new Trust(Duration.ofSeconds(6));
        trust.renew(0);
        assertThat(trust.trustedAt(30 * S)).isFalse(); // SIGSTOP for 30 s, then SIGCONT
    }

    @Test
    void revokingEndsTrustAtOnceAndTheNextVerdictRestoresIt() {
        var trust = new Trust(Duration.ofSeconds(6));
        trust.renew(0);
        trust.revoke();
        assertThat(trust.trustedAt(1)).isFalse();
        trust.renew(2 * S);
        assertThat(trust.trustedAt(3 * S)).isTrue();
    }

    @Test
    void theNanoClockMayWrapWithoutBreakingTheComparison() {
        var trust = new Trust(Duration.ofSeconds(6));
        trust.renew(Long.MAX_VALUE - S);
        assertThat(trust.trustedAt(Long.MAX_VALUE + 2 * S)).isTrue(); // wrapped to negative
        assertThat(trust.trustedAt(Long.MAX_VALUE + 6 * S)).isFalse();
    }

    @Test
    void settingsKeepTheLeaderStoppingBeforeTheServerFreesTheLock() {
        assertThatThrownBy(() -> new LeaseSettings(
                        Duration.ofSeconds(2),
                        Duration.ofMillis(1_500),
                        Duration.ofSeconds(12),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(1),
                        OnDbLoss.CONTINUE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("trustWindow (PT12S) must be shorter than serverTimeout (PT10S)");
        assertThatThrownBy(() -> new LeaseSettings(
                        Duration.ofSeconds(5),
                        Duration.ofMillis(1_500),
                        Duration.ofSeconds(6),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(1),
                        OnDbLoss.CONTINUE))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("must be longer than checkInterval + checkTimeout");
        assertThatThrownBy(() -> OnDbLoss.parse("maybe"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("VANTAGE_ON_DB_LOSS (--on-db-loss) must be 'continue' or 'stop', was 'maybe'");
        assertThat(OnDbLoss.parse(" STOP ")).isEqualTo(OnDbLoss.STOP);
    }
}

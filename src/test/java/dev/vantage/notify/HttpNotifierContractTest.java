package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.HttpReceiver.Answer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What every HTTP notifier promises on top of {@link NotifierContractTest}: the answers of a receiver become outcomes
 * the same way, through the shared sender.
 */
public abstract class HttpNotifierContractTest<S, M> extends NotifierContractTest<S, M> {
    protected HttpReceiver receiver;

    /** Valid settings that send to {@code url}. */
    protected abstract ObjectNode settingsFor(URI url);

    @BeforeAll
    void startReceiver() {
        receiver = HttpReceiver.start();
    }

    @AfterAll
    void stopReceiver() {
        receiver.close();
    }

    @Override
    protected Optional<Target<S, M>> unreachable(int closedPort) {
        return Optional.of(
                new Target<>(notifier(), settingsFor(URI.create("http://127.0.0.1:" + closedPort + "/hook"))));
    }

    /** Sends the firing notice to the receiver, whose next answer is {@code answer}. */
    protected Outcome sendAnswered(Answer answer) throws Exception {
        receiver.thenAnswer(answer);
        S settings = notifier().configure(settingsFor(receiver.uri("/hook/T000/SECRETPATH")));
        M message = notifier().render(settings, 17, Notices.firing());
        return notifier().send(settings, message, Instant.now().plusSeconds(5));
    }

    @Test
    void answersBecomeOutcomes() throws Exception {
        record Case(Answer answer, Outcome.Kind kind, Duration retryAfter) {}
        var cases = new Case[] {
            new Case(Answer.status(200), Outcome.Kind.DELIVERED, null),
            new Case(Answer.status(202), Outcome.Kind.DELIVERED, null),
            new Case(Answer.status(204), Outcome.Kind.DELIVERED, null),
            new Case(Answer.status(503).withHeader("Retry-After", "7"), Outcome.Kind.RETRY, Duration.ofSeconds(7)),
            new Case(Answer.status(500), Outcome.Kind.RETRY, null),
            new Case(Answer.status(429), Outcome.Kind.RETRY, null),
            new Case(Answer.status(429).withHeader("Retry-After", "30"), Outcome.Kind.RETRY, Duration.ofSeconds(30)),
            new Case(Answer.status(408), Outcome.Kind.RETRY, null),
            new Case(Answer.status(400), Outcome.Kind.REJECTED, null),
            new Case(Answer.status(403), Outcome.Kind.REJECTED, null),
            new Case(Answer.status(404), Outcome.Kind.REJECTED, null),
            new Case(Answer.status(302).withHeader("Location", "http://127.0.0.1:1/"), Outcome.Kind.REJECTED, null),
        };
        for (Case c : cases) {
            Outcome outcome = sendAnswered(c.answer());
            assertThat(outcome.kind()).as("%s", c).isEqualTo(c.kind());
            assertThat(outcome.statusCode()).as("%s", c).isEqualTo(c.answer().status());
            assertThat(outcome.retryAfter()).as("%s", c).isEqualTo(c.retryAfter());
            if (c.kind() == Outcome.Kind.DELIVERED) {
                assertThat(outcome.detail()).isNull();
            } else {
                assertThat(outcome.detail())
                        .startsWith("HTTP " + c.answer().status())
                        .doesNotContain("SECRETPATH");
            }
        }
    }
}

package dev.vantage.notify.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vantage.notify.NotifierContext;
import dev.vantage.notify.Outcome;
import dev.vantage.testing.HttpReceiver;
import dev.vantage.testing.HttpReceiver.Answer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class HttpSenderIT {
    private final HttpSender sender = new HttpSender(NotifierContext.defaultHttpClient(), Clock.systemUTC());

    @Test
    void aReceiverThatNeverAnswersIsRetriedAtTheTimeoutWithoutItsUrl() throws Exception {
        try (var server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(server.accept());
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            HttpUrl url = HttpUrl.get("http://127.0.0.1:" + server.getLocalPort() + "/hook/SECRETTOKEN");

            long start = System.nanoTime();
            Outcome outcome = sender.post(
                    url,
                    Headers.of(),
                    HttpMessage.json("{}"),
                    Duration.ofMillis(300),
                    Instant.now().plusSeconds(10));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(outcome).isEqualTo(Outcome.retry(null, null, "timed out after 300 ms"));
            assertThat(took).isBetween(Duration.ofMillis(290), Duration.ofMillis(800));
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void theDeadlineShortensTheTimeout() throws Exception {
        try (var server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[1 << 16]);
                    Thread.sleep(5_000); // holds the request unanswered; the sender gives up first
                } catch (Exception e) {
                    // closed
                }
            });
            HttpUrl url = HttpUrl.get("http://127.0.0.1:" + server.getLocalPort() + "/");

            long start = System.nanoTime();
            Outcome outcome = sender.post(
                    url,
                    Headers.of(),
                    HttpMessage.json("{}"),
                    Duration.ofSeconds(30),
                    Instant.now().plusMillis(400));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
            assertThat(outcome.detail()).startsWith("timed out after ");
            assertThat(took).isLessThan(Duration.ofMillis(900));
        }
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() {
        try (var receiver = HttpReceiver.start()) {
            String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    Instant.now().plusSeconds(120).atOffset(ZoneOffset.UTC));
            receiver.thenAnswer(Answer.status(503).withHeader("Retry-After", date));

            Outcome outcome = sender.post(
                    HttpUrl.get(receiver.uri("/").toString()),
                    Headers.of(),
                    HttpMessage.json("{}"),
                    Duration.ofSeconds(5),
                    Instant.now().plusSeconds(5));

            assertThat(outcome.kind()).isEqualTo(Outcome.Kind.RETRY);
            assertThat(outcome.retryAfter()).isBetween(Duration.ofSeconds(115), Duration.ofSeconds(120));
        }
    }
}

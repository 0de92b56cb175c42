package dev.vantage.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URLs: which are taken, what the errors say, and that no token or password is ever in them. */
class BeatUrlTest {
    private static final String TOKEN = "planted-token-Qz81xY_2";
    private static final String PASSWORD = "planted-pass-Vb7";
    private final BeatSenders senders = BeatSenders.standard(Clock.systemUTC());

    @Test
    void aPrintedUrlHasNoTokenUserInfoOrQuery() {
        Map<String, String> cases = Map.of(
                "https://vantage.example.com/ping/" + TOKEN,
                "https://vantage.example.com/ping/<token>",
                "http://h:8080/vantage/ping/" + TOKEN + "/fail",
                "http://h:8080/vantage/ping/<token>/fail",
                "https://u:" + PASSWORD + "@h/ping/" + TOKEN + "?x=" + PASSWORD,
                "https://h/ping/<token>",
                "nats://" + TOKEN + "@nats:4222",
                "nats://nats:4222",
                "redis://:" + PASSWORD + "@redis:6379/2",
                "redis://redis:6379/2",
                "redis://user:p@ss/" + PASSWORD + "@redis",
                "redis://redis",
                "https://h/pong/" + TOKEN + "/fail",
                "https://h/pong/<token>/fail",
                "https://h/api/v1/ping",
                "https://h/api/v1/ping",
                "not a url " + TOKEN,
                "not a url " + TOKEN);
        cases.forEach((url, expected) -> assertThat(SafeUrl.of(url)).as(url).isEqualTo(expected));
    }

    @Test
    void theSchemePicksTheSender() {
        try (var http = senders.open(new Destination("http://127.0.0.1:1/ping/" + TOKEN, null, null));
                var nats = senders.open(new Destination("nats://" + TOKEN + "@127.0.0.1", "a.b", null));
                var redis = senders.open(new Destination("rediss://:" + PASSWORD + "@127.0.0.1/3", "a", "s"))) {
            assertThat(http).isInstanceOf(HttpBeatSender.class);
            assertThat(http.where()).isEqualTo("http://127.0.0.1:1/ping/<token>");
            assertThat(nats).isInstanceOf(NatsBeatSender.class);
            assertThat(nats.where()).isEqualTo("nats://127.0.0.1:4222 subject a.b");
            assertThat(redis).isInstanceOf(RedisBeatSender.class);
            assertThat(redis.where()).isEqualTo("rediss://127.0.0.1:6379/3 stream s");
        }
    }

    @Test
    void aWrongDestinationIsOneLineNamingTheFlagWithoutItsSecret() {
        record Case(Destination destination, String message) {}
        for (Case c : new Case[] {
            new Case(
                    new Destination("ftp://h/ping/" + TOKEN, null, null),
                    "URL: must start with http://, https://, nats://, redis://, rediss://, was 'ftp://h/ping/<token>'"),
            new Case(
                    new Destination("http://h/ping/" + TOKEN + "/fail", null, null),
                    "URL: must be a ping URL http(s)://host[:port]/ping/<token> (start, fail, log and exit statuses"
                            + " are chosen with flags), was 'http://h/ping/<token>/fail'"),
            new Case(
                    new Destination("http://h/hook/" + TOKEN, null, null),
                    "URL: must be a ping URL http(s)://host[:port]/ping/<token> (start, fail, log and exit statuses"
                            + " are chosen with flags), was 'http://h/hook/<token>'"),
            new Case(
                    new Destination("http://h/ping/" + TOKEN + "?rid=1", null, null),
                    "URL: a ping URL takes no query or fragment (use --rid for a run id), was 'http://h/ping/<token>'"),
            new Case(
                    new Destination("http://u:" + PASSWORD + "@h/ping/" + TOKEN, null, null),
                    "URL: a ping URL takes no user info (value not shown)"),
            new Case(
                    new Destination("http://h/ping/" + TOKEN, "a.b", null),
                    "--subject (or SUBJECT): a ping URL names its monitor by its token; a subject is for nats:// and"
                            + " redis:// URLs"),
            new Case(new Destination("http://h/ping/" + TOKEN, null, "s"), "--stream: applies to redis:// URLs only"),
            new Case(
                    new Destination("nats://" + TOKEN + "@h", null, null),
                    "--subject is required with a nats:// URL (or set SUBJECT), e.g. --subject heartbeat.service.api"),
            new Case(
                    new Destination("nats://" + TOKEN + "@h", "a.*", null),
                    "--subject: must be a NATS subject to publish to: tokens separated by dots, without blanks or the"
                            + " wildcards * and >, at most 255 characters"),
            new Case(
                    new Destination("nats://" + TOKEN + "@h/x", "a", null),
                    "URL: a nats:// URL has no path, query or fragment (value not shown)"),
            new Case(
                    new Destination("redis://:" + PASSWORD + "@h", null, null),
                    "--subject is required with a redis:// URL (or set SUBJECT): the name the push monitor knows"),
            new Case(
                    new Destination("redis://:" + PASSWORD + "@h/x", "a", null),
                    "URL: the path must be a database number, as in redis://host/2"),
            new Case(new Destination("redis://h", "a", "my stream"), "--stream: must not contain blanks"),
        }) {
            assertThatThrownBy(() -> senders.open(c.destination()).close())
                    .as("%s", c.destination())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessage(c.message());
        }
    }
}

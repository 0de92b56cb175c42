package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link Notifier} promises. A new notifier extends this with valid settings that plant secret values, and
 * says how to aim it at a closed loopback port.
 *
 * @param <S> the notifier's settings
 * @param <M> its message
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class NotifierContractTest<S, M> {
    protected static final ObjectMapper JSON = new ObjectMapper();
    protected static final NotifierContext CONTEXT = NotifierContext.of(null, Clock.systemUTC());

    /** A notifier and settings for it. */
    public record Target<S, M>(Notifier<S, M> notifier, JsonNode settings) {}

    protected abstract Notifier<S, M> notifier();

    /** Valid settings in which every secret field holds one of {@link #plantedSecrets()}. */
    protected abstract ObjectNode validSettings();

    /** The secret values planted in {@link #validSettings()}. */
    protected abstract Set<String> plantedSecrets();

    /** The notifier aimed at a closed port of 127.0.0.1; empty for a notifier that uses no network. */
    protected abstract Optional<Target<S, M>> unreachable(int closedPort);

    protected S configured() throws InvalidChannelException {
        return notifier().configure(validSettings());
    }

    /** A port of 127.0.0.1 that nothing listens on (bound, then closed). */
    protected static int closedPort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theStandardRegistryFindsTheNotifierByItsTypeInAnyCase() {
        assertThat(NotifierRegistry.standard(CONTEXT).find(notifier().type().toUpperCase()))
                .get()
                .isInstanceOf(notifier().getClass());
    }

    @Test
    void validSettingsShowNoSecretInTheirToString() throws Exception {
        String shown = configured().toString();
        for (String secret : plantedSecrets()) {
            assertThat(shown).doesNotContain(secret);
        }
    }

    @Test
    void configureRejectsSettingsThatAreNotAnObject() throws Exception {
        for (JsonNode garbage : new JsonNode[] {
            JSON.readTree("[]"), JSON.readTree("7"), JSON.readTree("\"x\""), NullNode.getInstance(), null
        }) {
            Throwable thrown = catchThrowable(() -> notifier().configure(garbage));
            assertThat(thrown).as("%s", garbage).isInstanceOf(InvalidChannelException.class);
            assertThat(((InvalidChannelException) thrown).field()).isEqualTo("settings");
        }
    }

    @Test
    void configureRejectsAnUnknownKeyNamingIt() {
        ObjectNode settings = validSettings().put("no_such_key", 1);
        Throwable thrown = catchThrowable(() -> notifier().configure(settings));
        assertThat(thrown).isInstanceOf(InvalidChannelException.class);
        assertThat(((InvalidChannelException) thrown).field()).isEqualTo("settings.no_such_key");
    }

    @Test
    void noRejectionQuotesASecret() {
        int rejected = 0;
        for (ObjectNode variant : variants()) {
            Throwable thrown = catchThrowable(() -> notifier().configure(variant));
            if (thrown == null) {
                continue;
            }
            rejected++;
            assertThat(thrown).as("%s", variant).isInstanceOf(InvalidChannelException.class);
            var e = (InvalidChannelException) thrown;
            assertThat(e.field()).startsWith("settings");
            for (String secret : plantedSecrets()) {
                assertThat(e.getMessage()).doesNotContain(secret);
            }
        }
        if (!validSettings().isEmpty()) {
            assertThat(rejected).as("wrong values are rejected").isPositive();
        }
    }

    @Test
    void renderIsPure() throws Exception {
        S first = configured();
        S second = configured();
        for (Notice notice : List.of(Notices.firing(), Notices.resolved(), Notices.group())) {
            assertThat(notifier().render(first, 17, notice))
                    .isEqualTo(notifier().render(second, 17, notice));
        }
    }

    @Test
    void aNotifierThatGroupsNamesEveryMemberOfAGroup() throws Exception {
        assumeTrue(notifier().groups(), "this notifier sends one incident per request");
        String rendered = String.valueOf(notifier().render(configured(), 17, Notices.group()));
        for (Notice member : Notices.group().members()) {
            assertThat(rendered).contains(member.monitorName());
        }
    }

    @Test
    void sendToAClosedPortAsksForARetryWithinTheDeadline() throws Exception {
        Optional<Target<S, M>> target = unreachable(closedPort());
        assumeTrue(target.isPresent(), "this notifier uses no network");
        Notifier<S, M> n = target.get().notifier();
        S settings = n.configure(target.get().settings());
        Instant deadline = Instant.now().plusSeconds(3);

        long start = System.nanoTime();
        Outcome outcome = n.send(settings, n.render(settings, 17, Notices.firing()), deadline);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(outcome.kind()).as("%s", outcome).isEqualTo(Outcome.Kind.RETRY);
        assertThat(outcome.detail()).isNotBlank();
        assertThat(took).isLessThan(Duration.ofSeconds(3).plusMillis(500));
        for (String secret : plantedSecrets()) {
            assertThat(outcome.detail()).doesNotContain(secret);
        }
    }

    @Test
    void sendWithADeadlineAlreadyPassedReturnsAtOnce() throws Exception {
        Target<S, M> target = unreachable(closedPort()).orElse(new Target<>(notifier(), validSettings()));
        Notifier<S, M> n = target.notifier();
        S settings = n.configure(target.settings());
        M message = n.render(settings, 17, Notices.firing());

        long start = System.nanoTime();
        Outcome outcome = n.send(settings, message, Instant.now().minusSeconds(1));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(outcome).isNotNull();
        assertThat(took).isLessThan(Duration.ofMillis(500));
    }

    /** Valid settings with one key at a time given a wrong value; secrets mangled so they are invalid. */
    private List<ObjectNode> variants() {
        var out = new ArrayList<ObjectNode>();
        var wrong = List.<JsonNode>of(
                JsonNodeFactory.instance.numberNode(12345),
                JsonNodeFactory.instance.arrayNode().add(1),
                JsonNodeFactory.instance.objectNode().put("x", 1),
                JsonNodeFactory.instance.textNode(""),
                JsonNodeFactory.instance.textNode("not valid at all"));
        ObjectNode valid = validSettings();
        for (String key : (Iterable<String>) valid::fieldNames) {
            for (JsonNode value : wrong) {
                out.add(valid.deepCopy().set(key, value));
            }
            String text = JSON.valueToTree(valid.get(key)).toString();
            for (String secret : plantedSecrets()) {
                if (text.contains(secret)) {
                    String mangled = text.replace(secret, secret + " \\u0007 <bad>");
                    try {
                        out.add(valid.deepCopy().set(key, JSON.readTree(mangled)));
                        out.add(valid.deepCopy().set(key, JsonNodeFactory.instance.textNode("::" + secret)));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return out;
    }
}

package dev.vantage.probe.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.vantage.config.ConfigurationException;
import dev.vantage.probe.net.Trace;
import dev.vantage.testing.TestCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The probes' shared TLS context against loopback servers, under both providers: every probe a full handshake on a
 * server that would resume, one key share where the provider allows it, a server without x25519 still reached, each
 * handshake's certificate recorded for its own probe, and the fallback to JSSE.
 */
class ProbeTlsIT {
    private final TestCa ca = TestCa.create("Vantage Probe TLS CA");

    static Stream<Arguments> providersAndProtocols() {
        return Stream.of(TlsProvider.JSSE, TlsProvider.NATIVE)
                .flatMap(p -> Stream.of(Arguments.of(p, "TLSv1.3"), Arguments.of(p, "TLSv1.2")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providersAndProtocols")
    void everyProbeIsAFullHandshakeAlthoughTheServerWouldResume(TlsProvider provider, String protocol)
            throws Exception {
        ProbeTls tls = ProbeTls.create(provider);
        try (var server = new CountingTlsServer(ca, protocol, null)) {
            for (int i = 0; i < 3; i++) {
                assertThat(get(tls, server.port(), true)).startsWith("HTTP/1.1 200");
            }
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<String>> concurrent = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    boolean verify = i % 2 == 0;
                    concurrent.add(pool.submit(() -> get(tls, server.port(), verify)));
                }
                for (var f : concurrent) {
                    assertThat(f.get(20, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200");
                }
            }

            assertThat(server.handshakes()).isEqualTo(19);
            assertThat(server.resumed()).as("handshakes the server resumed").isZero();
            assertThat(server.offeredKeys())
                    .as("ClientHellos offering a pre-shared key")
                    .isZero();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providersAndProtocols")
    void aPlainSharedContextWouldHaveResumedOnTheSameServer(TlsProvider provider, String protocol) throws Exception {
        SSLContext plain = provider == TlsProvider.JSSE
                ? SSLContext.getInstance("TLS")
                : SSLContext.getInstance("TLS", conscrypt());
        var trusted = ca.trustManager();
        plain.init(
                null,
                new TrustManager[] {
                    new X509TrustManager() {
                        @Override
                        public void checkServerTrusted(X509Certificate[] chain, String authType)
                                throws CertificateException {
                            trusted.checkServerTrusted(chain, "GENERIC".equals(authType) ? "UNKNOWN" : authType);
                        }

                        @Override
                        public void checkClientTrusted(X509Certificate[] chain, String authType)
                                throws CertificateException {
                            throw new CertificateException("client only");
                        }

                        @Override
                        public X509Certificate[] getAcceptedIssuers() {
                            return new X509Certificate[0];
                        }
                    }
                },
                null);
        try (var server = new CountingTlsServer(ca, protocol, null)) {
            for (int i = 0; i < 2; i++) {
                try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), server.port());
                        var s = (SSLSocket)
                                plain.getSocketFactory().createSocket(raw, "localhost", server.port(), true)) {
                    assertThat(exchange(s)).startsWith("HTTP/1.1 200");
                }
            }

            assertThat(server.handshakes()).isEqualTo(2);
            assertThat(server.resumed()).as("the second handshake was resumed").isEqualTo(1);
        }
    }

    @Test
    void conscryptSocketsGiveTheirDirectBuffersBackWhenTheyClose() throws Exception {
        ProbeTls tls = ProbeTls.create(TlsProvider.NATIVE);
        try (var server = new CountingTlsServer(ca, "TLSv1.3", null)) {
            get(tls, server.port(), true);
            int kept = ConscryptBuffers.SHARED.free();
            for (int i = 0; i < 20; i++) {
                assertThat(get(tls, server.port(), true)).startsWith("HTTP/1.1 200");
            }

            assertThat(kept).as("buffers given back by the first probe").isPositive();
            assertThat(ConscryptBuffers.SHARED.free())
                    .as("20 more sequential probes reuse the same buffers")
                    .isEqualTo(kept);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"JSSE", "NATIVE"})
    void aServerWithoutX25519IsReachedThroughAHelloRetryRequest(TlsProvider provider) throws Exception {
        try (var server = new CountingTlsServer(ca, "TLSv1.3", new String[] {"secp384r1"})) {
            assertThat(get(ProbeTls.create(provider), server.port(), true)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void theNativeProviderSendsOneKeyShareAndListsTheOtherGroups() throws Exception {
        var hello = hello(ProbeTls.create(TlsProvider.NATIVE));

        assertThat(hello.keyShares()).containsExactly(ClientHelloCapture.X25519);
        assertThat(hello.supportedGroups())
                .contains(ClientHelloCapture.X25519, ClientHelloCapture.SECP256R1, ClientHelloCapture.SECP384R1);
    }

    /** JSSE's own behaviour, which ProbeTls cannot change without dropping a curve family (see its Javadoc). */
    @Test
    void jsseSendsOneKeyShareForEachOfItsFirstTwoCurveFamilies() throws Exception {
        var hello = hello(ProbeTls.create(TlsProvider.JSSE));

        assertThat(hello.keyShares()).containsExactly(ClientHelloCapture.X25519, ClientHelloCapture.SECP256R1);
        assertThat(hello.supportedGroups()).contains(ClientHelloCapture.SECP384R1);
    }

    @ParameterizedTest
    @EnumSource(names = {"JSSE", "NATIVE"})
    void eachHandshakeRecordsItsCertificateAndAnUntrustedOneFailsOnlyWhenVerifying(TlsProvider provider)
            throws Exception {
        ProbeTls tls = ProbeTls.create(provider);
        var stranger = TestCa.create("Someone Else").trustManager();
        try (var server = new CountingTlsServer(ca, "TLSv1.3", null)) {
            var trusting = new CapturingTrustManager(ca.trustManager(), true);
            var enforcing = new CapturingTrustManager(stranger, true);
            var recording = new CapturingTrustManager(stranger, false);

            assertThat(exchange(tls, server.port(), trusting, new Trace())).startsWith("HTTP/1.1 200");
            assertThatThrownBy(() -> exchange(tls, server.port(), enforcing, new Trace()))
                    .isInstanceOf(IOException.class);
            assertThat(exchange(tls, server.port(), recording, new Trace())).startsWith("HTTP/1.1 200");

            assertThat(trusting.facts().chainError()).isNull();
            assertThat(enforcing.facts().chainError()).startsWith("certificate not trusted");
            assertThat(recording.facts().chainError()).startsWith("certificate not trusted");
            assertThat(trusting.facts().subject()).contains("localhost");
        }
    }

    @Test
    void autoFallsBackToJsseWithOneLogLineNamingTheReasonAndStillProbes() throws Exception {
        var logger = (Logger) org.slf4j.LoggerFactory.getLogger(ProbeTls.class);
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        try {
            ProbeTls tls = ProbeTls.create(TlsProvider.AUTO, ProbeTlsIT::missingNative);

            assertThat(tls.provider()).isEqualTo("JSSE");
            assertThat(appender.list).hasSize(1);
            assertThat(appender.list.getFirst().getLevel()).isEqualTo(Level.WARN);
            assertThat(appender.list.getFirst().getFormattedMessage())
                    .isEqualTo("probes use the JDK's TLS (JSSE): the native provider (Conscrypt) cannot load:"
                            + " no conscrypt_openjdk_jni-linux-aarch_64 in java.library.path");
            try (var server = new CountingTlsServer(ca, "TLSv1.3", null)) {
                assertThat(get(tls, server.port(), true)).startsWith("HTTP/1.1 200");
            }
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void nativeRequiredRefusesToStartWhenItCannotLoad() {
        assertThatThrownBy(() -> ProbeTls.create(TlsProvider.NATIVE, ProbeTlsIT::missingNative))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(
                        "VANTAGE_TLS_PROVIDER is native but the native TLS provider (Conscrypt)" + " cannot load on ")
                .hasMessageEndingWith(": no conscrypt_openjdk_jni-linux-aarch_64 in java.library.path");
    }

    @Test
    void anUnknownProviderNameIsRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> TlsProvider.parse("boringssl"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("VANTAGE_TLS_PROVIDER: expected auto, jsse or native, got 'boringssl'");
        assertThat(TlsProvider.parse(" Native ")).isEqualTo(TlsProvider.NATIVE);
    }

    @Test
    void autoPicksTheNativeProviderWhereItLoads() {
        assertThat(ProbeTls.create(TlsProvider.AUTO).provider()).isEqualTo("Conscrypt");
        assertThat(ProbeTls.create(TlsProvider.JSSE).provider()).isEqualTo("JSSE");
    }

    /** The shared instance follows {@code -Dvantage.tls.provider}, so a test run can pick the provider of every test. */
    @Test
    void theSharedProviderIsTheOneTheTestRunAskedFor() {
        String asked = System.getProperty("vantage.tls.provider", "auto");
        String expected = TlsProvider.parse(asked) == TlsProvider.JSSE ? "JSSE" : "Conscrypt";

        assertThat(ProbeTls.shared().provider()).isEqualTo(expected);
    }

    private static Provider missingNative() {
        throw new UnsatisfiedLinkError("no conscrypt_openjdk_jni-linux-aarch_64 in java.library.path");
    }

    private static Provider conscrypt() {
        return org.conscrypt.Conscrypt.newProvider();
    }

    private ClientHelloCapture.Hello hello(ProbeTls tls) throws Exception {
        try (var capture = new ClientHelloCapture()) {
            try {
                exchange(tls, capture.port(), new CapturingTrustManager(ca.trustManager(), true), new Trace());
            } catch (IOException expected) {
                // the capture closes after the ClientHello
            }
            return capture.hello();
        }
    }

    private String get(ProbeTls tls, int port, boolean verify) throws Exception {
        var trust = new CapturingTrustManager(ca.trustManager(), verify);
        String response = exchange(tls, port, trust, new Trace());
        assertThat(trust.facts())
                .as("the certificate of this probe's handshake")
                .isNotNull();
        return response;
    }

    private static String exchange(ProbeTls tls, int port, CapturingTrustManager trust, Trace trace)
            throws IOException {
        try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), port);
                var s = (SSLSocket) tls.factory(trust, trace).createSocket(raw, "localhost", port, true)) {
            raw.setSoTimeout(10_000);
            return exchange(s);
        }
    }

    /** A handshake, one request, and the whole response (which also makes the client read any session tickets). */
    private static String exchange(SSLSocket s) throws IOException {
        s.startHandshake();
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }
}

package dev.vantage.probe.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.Security;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResolverTest {
    private final Resolver resolver = Resolver.system();
    private final long deadline = System.nanoTime() + 1_000_000_000L;

    @ParameterizedTest
    @ValueSource(strings = {"vantage-demo.invalid", "a.b.INVALID", "invalid", "x.invalid."})
    void invalidNamesFailWithoutALookup(String name) {
        assertThatThrownBy(() -> resolver.resolve(name, deadline))
                .isInstanceOf(UnknownHostException.class)
                .hasMessage(name + ": names under .invalid never resolve (RFC 6761)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LocalHost", "app.localhost", "localhost."})
    void localhostNamesAreLoopbackIpv4First(String name) throws Exception {
        var addresses = resolver.resolve(name, deadline);

        assertThat(addresses).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.1", "0:0:0:0:0:0:0:1");
    }

    @Test
    void ipLiteralsAreRecognisedWithoutALookup() throws Exception {
        assertThat(Resolver.isIpLiteral("127.0.0.1")).isTrue();
        assertThat(Resolver.isIpLiteral("::1")).isTrue();
        assertThat(Resolver.isIpLiteral("example.test")).isFalse();
        assertThat(resolver.resolve("::1", deadline))
                .extracting(InetAddress::isLoopbackAddress)
                .containsExactly(true);
    }

    @Test
    void theJvmAddressCacheIsDisabled() {
        Resolver.system();

        assertThat(Security.getProperty("networkaddress.cache.ttl")).isEqualTo("0");
        assertThat(Security.getProperty("networkaddress.cache.negative.ttl")).isEqualTo("0");
    }
}

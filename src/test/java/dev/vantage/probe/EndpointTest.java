package dev.vantage.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "tcp://127.0.0.1:80          | tcp | 127.0.0.1   | 80   | ''",
                "TCP://Example.org:443       | tcp | Example.org | 443  | ''",
                "tcp://[::1]:5353            | tcp | ::1         | 5353 | ''",
                "dns://192.0.2.1/example.org | dns | 192.0.2.1   | 53   | /example.org",
                "dns://[2001:db8::1]         | dns | 2001:db8::1 | 53   | ''",
            })
    void aUrlGivesSchemeHostPortAndPath(String url, String scheme, String host, int port, String path)
            throws Exception {
        Endpoint e = Endpoint.parse(url, List.of("tcp", "dns"), 53);

        assertThat(e).isEqualTo(new Endpoint(scheme, host, port, path));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''                     | is empty",
                "'   '                  | is empty",
                "::::                   | is not a URL like tcp://host:port: '::::'",
                "h:80                   | scheme must be tcp or tls, was 'h'",
                "http://h:1             | scheme must be tcp or tls, was 'http'",
                "tcp://h                | needs a port between 1 and 65535: 'tcp://h'",
                "tcp://h:0              | needs a port between 1 and 65535: 'tcp://h:0'",
                "tcp://h:65536          | needs a port between 1 and 65535: 'tcp://h:65536'",
                "tcp://:80              | has no host: 'tcp://:80'",
                "tcp://u:s3cret@h?t=abc | needs a port between 1 and 65535: 'tcp://***@h?***'",
            })
    void aBadUrlNamesTheUrlAndWhyWithoutItsSecrets(String url, String reason) {
        assertThatThrownBy(() -> Endpoint.parse(url, List.of("tcp", "tls"), Endpoint.PORT_REQUIRED))
                .isInstanceOfSatisfying(InvalidMonitorException.class, e -> {
                    assertThat(e.field()).isEqualTo("url");
                    assertThat(e.getMessage()).isEqualTo("url: " + reason);
                });
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 80, 127.0.0.1:80", "::1, 53, [::1]:53", "example.org, 443, example.org:443"})
    void hostPortBracketsAnIpv6Literal(String host, int port, String expected) {
        assertThat(new Endpoint("tcp", host, port, "").hostPort()).isEqualTo(expected);
    }
}

package dev.vantage.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpSettingsTest {

    @Test
    void aPortOutOfRangeNamesTheSetting() {
        assertThatThrownBy(() -> HttpSettings.on("127.0.0.1", 70_000, HttpAuth.NONE))
                .hasMessage("VANTAGE_HTTP_PORT: expected a port from 0 to 65535, got 70000");
        assertThatThrownBy(() -> HttpSettings.on("127.0.0.1", -1, HttpAuth.NONE))
                .hasMessage("VANTAGE_HTTP_PORT: expected a port from 0 to 65535, got -1");
    }

    @Test
    void limitsOutOfRangeNameTheSetting() {
        var d = HttpLimits.DEFAULTS;
        assertThatThrownBy(() -> new HttpLimits(Duration.ZERO, d.responseTimeout(), d.idleTimeout(), 1))
                .hasMessage("VANTAGE_HTTP_REQUEST_TIMEOUT: expected whole seconds from 1 to 3600, got 0 ms");
        assertThatThrownBy(() -> new HttpLimits(d.requestTimeout(), Duration.ofMillis(1500), d.idleTimeout(), 1))
                .hasMessage("VANTAGE_HTTP_RESPONSE_TIMEOUT: expected whole seconds from 1 to 3600, got 1500 ms");
        assertThatThrownBy(() -> new HttpLimits(d.requestTimeout(), d.responseTimeout(), Duration.ofHours(2), 1))
                .hasMessage("VANTAGE_HTTP_IDLE_TIMEOUT: expected whole seconds from 1 to 3600, got 7200000 ms");
        assertThatThrownBy(() -> new HttpLimits(d.requestTimeout(), d.responseTimeout(), d.idleTimeout(), 0))
                .hasMessage("VANTAGE_HTTP_MAX_CONNECTIONS: expected 1 to 100000 connections, got 0");
    }

    @Test
    void theDefaultLimitsAreTheDocumentedOnes() {
        assertThat(HttpLimits.DEFAULTS)
                .isEqualTo(new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30), 256));
        assertThat(HttpLimits.DEFAULTS.jdkProperties())
                .containsEntry("sun.net.httpserver.maxReqTime", "10")
                .containsEntry("sun.net.httpserver.maxRspTime", "30")
                .containsEntry("sun.net.httpserver.idleInterval", "30")
                .containsEntry("jdk.httpserver.maxConnections", "256")
                .containsEntry("sun.net.httpserver.maxIdleConnections", "128");
    }

    @Test
    void aServerBeyondLoopbackWithoutCredentialsIsWarnedAboutAndNoOtherIs() throws Exception {
        var anywhere = java.net.InetAddress.getByName("0.0.0.0");
        var loopback = java.net.InetAddress.getByName("127.0.0.1");
        var token = HttpAuth.of("a-token", null);
        assertThat(WebServer.exposure(anywhere, HttpAuth.NONE))
                .hasValue("HTTP on 0.0.0.0 serves /readyz, /metrics and the status page to anyone who can reach it:"
                        + " set VANTAGE_HTTP_TOKEN or VANTAGE_HTTP_BASIC_AUTH, or bind 127.0.0.1 (/healthz, ping"
                        + " URLs and the badges of public monitors stay open)");
        assertThat(WebServer.exposure(java.net.InetAddress.getByName("::"), HttpAuth.NONE))
                .isPresent();
        assertThat(WebServer.exposure(anywhere, token)).isEmpty();
        assertThat(WebServer.exposure(loopback, HttpAuth.NONE)).isEmpty();
        assertThat(WebServer.exposure(java.net.InetAddress.getByName("::1"), HttpAuth.NONE))
                .isEmpty();
    }
}

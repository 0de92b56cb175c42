package dev.vantage.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class HttpAuthTest {

    @Test
    void basicCredentialsWithoutAUserAndAColonAreRefusedWithoutRepeatingThem() {
        assertThatThrownBy(() -> HttpAuth.of(null, "hunter2"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(
                        "VANTAGE_HTTP_BASIC_AUTH: expected user:password (a user name, a colon, then the password)");
        assertThatThrownBy(() -> HttpAuth.of(null, ":hunter2"))
                .isInstanceOf(ConfigurationException.class)
                .message()
                .doesNotContain("hunter2");
    }

    @Test
    void noCredentialsConfiguredLetsEveryoneIn() {
        assertThat(HttpAuth.NONE.required()).isFalse();
        assertThat(HttpAuth.NONE.allows(null)).isTrue();
        assertThat(HttpAuth.NONE.challenges()).isEmpty();
    }

    @Test
    void aPasswordMayContainColons() {
        var auth = HttpAuth.of(null, "ops:a:b:c");
        String header = "Basic " + Base64.getEncoder().encodeToString("ops:a:b:c".getBytes(StandardCharsets.UTF_8));

        assertThat(auth.allows(header)).isTrue();
        assertThat(auth.allows("Bearer ops:a:b:c")).isFalse();
        assertThat(auth.challenges()).containsExactly("Basic realm=\"vantage\", charset=\"UTF-8\"");
    }

    @Test
    void itsDescriptionNeverShowsTheCredentials() {
        assertThat(HttpAuth.of("s3cret-token", "ops:pa55").toString())
                .doesNotContain("s3cret")
                .doesNotContain("pa55");
    }
}

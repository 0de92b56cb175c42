package dev.vantage.cli;

import dev.vantage.config.Environment;
import dev.vantage.push.redis.RedisIngestSettings;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The Redis ingest's flags, shared by {@code vantage monitor} and {@code vantage demo}; each has its variable. */
final class RedisOptions {
    @Option(
            names = "--redis-url",
            paramLabel = "URL",
            description = "Read beats from Redis streams through a consumer group:"
                    + " redis://[[user]:password@]host[:port][/db] or rediss://… (default: VANTAGE_REDIS_URL, else"
                    + " off).")
    String url;

    @Option(
            names = "--redis-streams",
            paramLabel = "S1,S2",
            description = "Streams to read beats from (default: VANTAGE_REDIS_STREAMS, else vantage:beats).")
    String streams;

    @Option(
            names = "--redis-group",
            paramLabel = "GROUP",
            description = "Consumer group of the replicas; created when missing, reading what is added from then on"
                    + " (default: VANTAGE_REDIS_GROUP, else vantage).")
    String group;

    @Option(
            names = "--redis-auto-register",
            paramLabel = "true|false",
            description = "Register a push monitor for an unknown subject whose entry says its interval (default:"
                    + " VANTAGE_REDIS_AUTO_REGISTER, else true).")
    String autoRegister;

    /** The settings, or empty when no URL is set: the Redis ingest is off then. */
    Optional<RedisIngestSettings> settings(Environment env, String consumer) {
        return env.resolve(url, "VANTAGE_REDIS_URL")
                .map(u -> RedisIngestSettings.of(
                        u,
                        env.resolve(streams, "VANTAGE_REDIS_STREAMS").orElse(null),
                        env.resolve(group, "VANTAGE_REDIS_GROUP").orElse(null),
                        env.resolve(autoRegister, "VANTAGE_REDIS_AUTO_REGISTER").orElse(null),
                        consumer));
    }
}

package dev.vantage.cli;

import dev.vantage.web.HttpSettings;
import dev.vantage.web.JvmMeters;
import dev.vantage.web.Readiness;
import dev.vantage.web.WebServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A long-running process (an agent, a monitor module) with its HTTP server and JVM meters. The server starts first, so
 * that a port in use stops the command at once instead of after the wait for the database, and answers /readyz with
 * "starting" until the process is up. Closing stops the process first, then the server.
 */
record Served<T extends AutoCloseable>(T process, Optional<WebServer> web, JvmMeters jvm) implements AutoCloseable {

    static <T extends AutoCloseable> Served<T> start(
            HttpSettings http,
            PrometheusMeterRegistry meters,
            Supplier<T> start,
            Function<T, Readiness.Target> readinessOf) {
        return start(http, HttpOptions.TakenDefaultPort.FAIL, meters, start, readinessOf);
    }

    /** {@link #start(HttpSettings, PrometheusMeterRegistry, Supplier, Function)}, and what a taken default port does. */
    static <T extends AutoCloseable> Served<T> start(
            HttpSettings http,
            HttpOptions.TakenDefaultPort whenTaken,
            PrometheusMeterRegistry meters,
            Supplier<T> start,
            Function<T, Readiness.Target> readinessOf) {
        var jvm = JvmMeters.bind(meters);
        var readiness = new Readiness(Readiness.DEFAULT_TIMEOUT);
        Optional<WebServer> web = Optional.empty();
        try {
            web = HttpOptions.start(http, whenTaken, meters, readiness);
            T process = start.get();
            readiness.started(readinessOf.apply(process));
            return new Served<>(process, web, jvm);
        } catch (RuntimeException | Error e) {
            // An Error too (an agent's journal too large to open): a server left answering /healthz would keep a
            // process alive that does nothing.
            web.ifPresent(WebServer::close);
            jvm.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        try {
            process.close();
        } finally {
            web.ifPresent(WebServer::close);
            jvm.close();
        }
    }
}

package dev.vantage.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * {@code java -Xmx128m -jar target/vantage.jar agent} (or {@code monitor}, {@link #startMonitor}) in a JVM of its own,
 * as a user runs it: settings from the environment only (the test JVM's environment is not inherited), stdout and
 * stderr to files, and the signals an operator or the kernel sends. Close it (try-with-resources or an
 * {@code @AfterEach}): it is killed then; a JVM shutdown hook kills whatever a failed test left running.
 */
public final class AgentProcess implements AutoCloseable {
    private static final Path JAR = Path.of("target", "vantage.jar");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "agent-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private AgentProcess(String name, Process process, Path stdout, Path stderr) {
        this.name = name;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts an agent named {@code name} (VANTAGE_AGENT_NAME) with exactly {@code env} as its environment; its output
     * goes to {@code <name>.out} and {@code <name>.err} in {@code logDirectory}.
     */
    public static AgentProcess start(String name, Map<String, String> env, Path logDirectory) {
        return launch("agent", "VANTAGE_AGENT_NAME", name, env, logDirectory);
    }

    /**
     * Starts {@code vantage monitor} named {@code name} (VANTAGE_MONITOR_NAME, also its monitor_leases.holder) with
     * exactly {@code env} as its environment; its output goes to {@code <name>.out} and {@code <name>.err} in
     * {@code logDirectory}.
     */
    public static AgentProcess startMonitor(String name, Map<String, String> env, Path logDirectory) {
        return launch("monitor", "VANTAGE_MONITOR_NAME", name, env, logDirectory);
    }

    private static AgentProcess launch(
            String subcommand, String nameVariable, String name, Map<String, String> env, Path logDirectory) {
        String java = ProcessHandle.current().info().command().orElse("java");
        var command = new ArrayList<>(
                List.of(java, "-Xmx128m", "-jar", JAR.toAbsolutePath().toString(), subcommand));
        var builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().put(nameVariable, name);
        // Replicas share one host: each takes a free port for its HTTP server unless the test chooses one.
        builder.environment().putIfAbsent("VANTAGE_HTTP_PORT", "0");
        Path out = logDirectory.resolve(name + ".out");
        Path err = logDirectory.resolve(name + ".err");
        builder.redirectOutput(out.toFile());
        builder.redirectError(err.toFile());
        try {
            Process process = builder.start();
            RUNNING.add(process);
            process.onExit().thenRun(() -> RUNNING.remove(process));
            return new AgentProcess(name, process, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + subcommand + " " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the process dies at once, its sockets closed by the kernel, nothing flushed. */
    public void sigkill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGTERM: a graceful shutdown (the JVM runs its shutdown hooks). */
    public void sigterm() {
        process.destroy();
    }

    /** SIGSTOP: the process is frozen; the kernel still holds its sockets open and acknowledges what arrives. */
    public void sigstop() {
        signal("STOP");
    }

    /** SIGCONT: a frozen process runs again, its timers all late. */
    public void sigcont() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    /**
     * The scheduler state of the process from {@code /proc/<pid>/stat}: 'T' when stopped, 'S' or 'R' when running,
     * empty once it has exited.
     */
    public Optional<Character> state() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // pid (comm) S ...: comm may contain spaces and parentheses, so read after the last ')'.
            return Optional.of(stat.charAt(stat.lastIndexOf(')') + 2));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Waits for the process to end; its exit status. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not exit within " + timeout + "\n" + tail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    /** Every stdout line so far (JSON log events, one per line). */
    public List<String> logLines() {
        return read(stdout);
    }

    /** Every stderr line so far, without the JVM's own warnings about libraries. */
    public List<String> errorLines() {
        return read(stderr).stream().filter(l -> !l.startsWith("WARNING:")).toList();
    }

    /** The {@code message} of each JSON log line, then the stderr lines: what an operator would read. */
    public List<String> messages() {
        var messages = new ArrayList<String>();
        for (String line : logLines()) {
            messages.add(message(line));
        }
        messages.addAll(errorLines());
        return messages;
    }

    /** Waits until a log message (or a stderr line) contains {@code substring}; returns the first such message. */
    public String awaitLog(String substring, Duration timeout) {
        try {
            return Awaitility.await(name + " logs '" + substring + "'")
                    .atMost(timeout)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> findLog(substring), Optional::isPresent)
                    .orElseThrow();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + tail(), e);
        }
    }

    public Optional<String> findLog(String substring) {
        return messages().stream().filter(m -> m.contains(substring)).findFirst();
    }

    /** The last log messages, for failure messages. */
    public String tail() {
        var messages = messages();
        var last = messages.subList(Math.max(0, messages.size() - 30), messages.size());
        return "--- last log lines of " + name + " (pid " + process.pid() + ", " + (isAlive() ? "alive" : "exited")
                + ") ---\n" + String.join("\n", last);
    }

    private static String message(String line) {
        try {
            JsonNode event = JSON.readTree(line);
            if (event != null && event.has("message")) {
                String error = event.path("stack_trace").asText("");
                return event.get("message").asText() + (error.isEmpty() ? "" : " | " + firstLine(error));
            }
        } catch (IOException e) {
            // not JSON: a line the JVM printed itself
        }
        return line;
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static List<String> read(Path file) {
        try {
            // The process may be writing a line at this moment: drop a last line without its newline.
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : text.substring(0, end).lines().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The environment of an agent of datacenter {@code datacenter} on {@code dbUrl}, ready for extra settings. */
    public static Map<String, String> env(String dbUrl, String datacenter) {
        var env = new HashMap<String, String>();
        env.put("DB_CONN_STRING", dbUrl);
        env.put("DATACENTER_ID", datacenter);
        return env;
    }

    /** Kills the process (SIGKILL; a stopped process too) and waits for it to end. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}

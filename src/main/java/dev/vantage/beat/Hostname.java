package dev.vantage.beat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** This machine's name, as Go's {@code os.Hostname} finds it (the Go agent's default {@code host}). */
public final class Hostname {
    private static final Path KERNEL = Path.of("/proc/sys/kernel/hostname");

    private Hostname() {}

    /**
     * The kernel's host name on Linux (no DNS query, which {@link InetAddress#getLocalHost()} may make and which can
     * hang on a misconfigured resolver), else the JVM's, else {@code localhost}.
     */
    public static String local() {
        try {
            String name = Files.readString(KERNEL, StandardCharsets.UTF_8).strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the JVM
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}

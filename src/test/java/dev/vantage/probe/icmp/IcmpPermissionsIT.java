package dev.vantage.probe.icmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The probe without {@code CAP_NET_RAW}, as the Docker image runs it: a child JVM started under {@code capsh
 * --drop=cap_net_raw}, so that only a ping socket can work. In a network namespace of its own ({@code unshare -n},
 * loopback only) whose {@code net.ipv4.ping_group_range} is opened as Docker opens a container's, it pings 127.0.0.1
 * and ::1 through ping sockets; in one left at the kernel's default {@code "1 0"} it fails naming both fixes. Skipped
 * where the test may not create a namespace or drop a capability (it needs root, or CAP_SYS_ADMIN, and util-linux,
 * libcap2-bin and iproute2).
 */
class IcmpPermissionsIT {
    private static final String CHILD = "exec capsh --drop=cap_net_raw -- -c '%s -cp %s %s %s'";

    @Test
    void withoutCapNetRawAndWithTheGroupRangeOpenPingSocketsPingIpv4AndIpv6() throws Exception {
        List<String> out = inNamespace(
                "ip link set lo up && echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range && ",
                "icmp://127.0.0.1 icmp://[::1]");

        assertThat(out)
                .containsExactly(
                        "icmp://127.0.0.1|true|null|datagram 3/3|null", "icmp://[::1]|true|null|datagram 3/3|null");
    }

    @Test
    void withoutCapNetRawAndWithTheKernelsDefaultRangeTheProbeFailsNamingTheFixes() throws Exception {
        List<String> out = inNamespace("ip link set lo up && ", "icmp://127.0.0.1");

        assertThat(out)
                .containsExactly("icmp://127.0.0.1|false|INVALID_CONFIG|-|icmp needs a ping socket or a raw socket,"
                        + " and this process may open neither (datagram socket refused: Permission denied (errno 13);"
                        + " raw socket refused: Operation not permitted (errno 1);"
                        + " net.ipv4.ping_group_range is \"1 0\"). Allow ping sockets for all groups:"
                        + " sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"; or grant CAP_NET_RAW:"
                        + " docker run --cap-add NET_RAW --user 0, or setcap cap_net_raw+ep on the java binary");
    }

    /** Runs {@link PingOnce} with {@code urls} in a new network namespace after {@code setup}, without CAP_NET_RAW. */
    private static List<String> inNamespace(String setup, String urls) throws Exception {
        assumeTrue(runs("unshare", "-n", "true"), "unshare -n is not allowed here");
        assumeTrue(runs("capsh", "--drop=cap_net_raw", "--", "-c", "true"), "capsh cannot drop cap_net_raw here");
        assumeTrue(runs("unshare", "-n", "ip", "link", "set", "lo", "up"), "ip (iproute2) is missing");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String child = CHILD.formatted(java, System.getProperty("java.class.path"), PingOnce.class.getName(), urls);
        Process p = new ProcessBuilder("unshare", "-n", "sh", "-c", setup + child)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit status; output: %s", text).isZero();
        return text.lines().filter(l -> l.startsWith("icmp://")).toList();
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package dev.vantage.probe.icmp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * One ICMP or ICMPv6 socket of the kind the kernel allows this process, opened for one probe and closed after it.
 *
 * <ul>
 *   <li>{@link Kind#DATAGRAM}, a Linux "ping socket" ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}): no privilege,
 *       allowed when the process's group is in {@code net.ipv4.ping_group_range} (which governs IPv6 too). The kernel
 *       sets the identifier and checksum and delivers only this socket's replies, without IP header.
 *   <li>{@link Kind#RAW}: needs {@code CAP_NET_RAW}. A raw socket sees every ICMP message the host receives, so a
 *       socket filter (classic BPF) attached here lets through only messages carrying this socket's identifier: a
 *       thousand probes do not each copy the others' replies.
 * </ul>
 *
 * <p>Blocking happens only in {@link #poll}, bounded by its caller: a native call pins a virtual thread's carrier.
 */
final class IcmpSocket implements AutoCloseable {
    /** How the socket was opened, as reported in a result's details. */
    enum Kind {
        DATAGRAM("datagram"),
        RAW("raw");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final int fd;
    private final Kind kind;
    private final boolean ipv6;

    /**
     * The native memory of this socket's calls, one allocation: {@code msghdr} (56 bytes on Linux x86-64 and arm64),
     * {@code iovec} (16), the sender's address (28), control messages (64), the destination address (28), then the
     * received message and the outgoing packet, {@code messageBytes} each.
     */
    private final Memory block;

    private final Pointer message;
    private final Pointer iov;
    private final Pointer name;
    private final Pointer control;
    private final Pointer destination;
    private final Pointer data;
    private final Pointer outgoing;
    private final int messageBytes;

    private IcmpSocket(int fd, Kind kind, boolean ipv6, int messageBytes) {
        this.fd = fd;
        this.kind = kind;
        this.ipv6 = ipv6;
        this.messageBytes = messageBytes;
        this.block = new Memory(208L + 2L * messageBytes);
        this.message = block.share(0, 56);
        this.iov = block.share(56, 16);
        this.name = block.share(72, 28);
        this.control = block.share(104, CONTROL_BYTES);
        this.destination = block.share(168, 28);
        this.data = block.share(208, messageBytes);
        this.outgoing = block.share(208L + messageBytes, messageBytes);
    }

    private static final int CONTROL_BYTES = 64;

    /**
     * Opens the first kind in {@code kinds} that the kernel allows, for this identifier (used by raw sockets only),
     * to send and receive messages of at most {@code messageBytes}.
     *
     * @throws IcmpUnavailableException no kind was allowed; the message names the fix
     * @throws IOException another failure (IPv6 switched off, no file descriptors left)
     */
    static IcmpSocket open(boolean ipv6, List<Kind> kinds, int identifier, int messageBytes) throws IOException {
        int family = ipv6 ? LibC.AF_INET6 : LibC.AF_INET;
        int protocol = ipv6 ? LibC.IPPROTO_ICMPV6 : LibC.IPPROTO_ICMP;
        StringBuilder refused = new StringBuilder();
        for (Kind kind : kinds) {
            int type = (kind == Kind.RAW ? LibC.SOCK_RAW : LibC.SOCK_DGRAM) | LibC.SOCK_CLOEXEC;
            int fd;
            try {
                fd = LibC.socket(family, type, protocol);
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == LibC.EACCES || errno == LibC.EPERM || errno == LibC.EPROTONOSUPPORT) {
                    refused.append(refused.isEmpty() ? "" : "; ")
                            .append(kind.label)
                            .append(" socket refused: ")
                            .append(describe(e));
                    continue;
                }
                if (errno == LibC.EAFNOSUPPORT) {
                    throw new IOException((ipv6 ? "IPv6" : "IPv4") + " is not available on this host");
                }
                throw new IOException("could not open an ICMP socket: " + describe(e));
            }
            IcmpSocket socket = new IcmpSocket(fd, kind, ipv6, messageBytes);
            if (kind == Kind.RAW) {
                socket.acceptOnlyIdentifier(identifier);
            }
            socket.stampReceives();
            return socket;
        }
        throw new IcmpUnavailableException(refused.toString());
    }

    Kind kind() {
        return kind;
    }

    /** True when replies carry the identifier this side chose (raw), false when the kernel chose it (datagram). */
    boolean ownsIdentifier() {
        return kind == Kind.RAW;
    }

    /** True when a received message starts with the IPv4 header (raw IPv4 sockets). */
    boolean deliversIpHeader() {
        return kind == Kind.RAW && !ipv6;
    }

    /**
     * Sends {@code packet} to {@code to}, returning the {@link System#nanoTime()} taken just before the system call:
     * the packet and address are copied to native memory first, so that the copying is not in the round trip.
     */
    long send(byte[] packet, InetAddress to) throws IOException {
        byte[] address = sockaddr(to);
        if (packet.length > messageBytes) {
            throw new IllegalArgumentException("packet of " + packet.length + " bytes, more than " + messageBytes);
        }
        outgoing.write(0, packet, 0, packet.length);
        destination.write(0, address, 0, address.length);
        long sentAt = System.nanoTime();
        try {
            LibC.sendto(fd, outgoing, packet.length, 0, destination, address.length);
        } catch (LastErrorException e) {
            throw new IOException("could not send to " + to.getHostAddress() + ": " + describe(e));
        }
        return sentAt;
    }

    /** Waits at most {@code millis} for a message to read; false when none came. */
    boolean poll(int millis) throws IOException {
        byte[] pollfd = ByteBuffer.allocate(8)
                .order(ByteOrder.nativeOrder())
                .putInt(fd)
                .putShort(LibC.POLLIN)
                .putShort((short) 0)
                .array();
        try {
            return LibC.poll(pollfd, 1, millis) > 0;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EINTR) {
                return false;
            }
            throw new IOException("poll failed: " + describe(e));
        }
    }

    /**
     * Reads one waiting message without blocking into {@code buf}; its sender's address goes into {@code from}, and the
     * kernel's receive time (CLOCK_REALTIME, nanoseconds since the epoch, 0 when none came with it) into {@code
     * receivedAt[0]}. The kernel stamps the message as it queues it, as {@code ping} reads it: a probe thread that runs
     * late does not make the round trip longer.
     *
     * @return the message's length, or -1 when none is waiting
     */
    int receive(byte[] buf, byte[] from, long[] receivedAt) throws IOException {
        int capacity = Math.min(buf.length, messageBytes);
        message.setMemory(0, 56, (byte) 0);
        message.setPointer(0, name);
        message.setInt(8, from.length);
        iov.setPointer(0, data);
        iov.setLong(8, capacity);
        message.setPointer(16, iov);
        message.setLong(24, 1);
        message.setPointer(32, control);
        message.setLong(40, CONTROL_BYTES);
        long length;
        try {
            length = LibC.recvmsg(fd, message, LibC.MSG_DONTWAIT);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EAGAIN || e.getErrorCode() == LibC.EINTR) {
                return -1;
            }
            throw new IOException("receive failed: " + describe(e));
        }
        int read = (int) Math.min(length, capacity);
        data.read(0, buf, 0, read);
        name.read(0, from, 0, from.length);
        receivedAt[0] = 0;
        long controlLength = message.getLong(40);
        for (long at = 0; at + 32 <= controlLength; ) {
            long cmsgLength = control.getLong(at);
            if (cmsgLength < 16) {
                break;
            }
            if (control.getInt(at + 8) == LibC.SOL_SOCKET && control.getInt(at + 12) == LibC.SO_TIMESTAMPNS) {
                receivedAt[0] = control.getLong(at + 16) * 1_000_000_000L + control.getLong(at + 24);
            }
            at += (cmsgLength + 7) & ~7L;
        }
        return read;
    }

    /** True when {@code sockaddr} (as filled by {@link #receive}) holds {@code address}. */
    static boolean sameAddress(byte[] sockaddr, InetAddress address) {
        byte[] raw = address.getAddress();
        int at = address instanceof Inet6Address ? 8 : 4;
        return Arrays.equals(sockaddr, at, at + raw.length, raw, 0, raw.length);
    }

    /** A {@code sockaddr_in} or {@code sockaddr_in6}: family in host order, port 0, address in network order. */
    static byte[] sockaddr(InetAddress address) {
        boolean v6 = address instanceof Inet6Address;
        ByteBuffer b = ByteBuffer.allocate(v6 ? 28 : 16);
        b.order(ByteOrder.nativeOrder()).putShort((short) (v6 ? LibC.AF_INET6 : LibC.AF_INET));
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) 0);
        if (v6) {
            b.putInt(0).put(address.getAddress());
            b.order(ByteOrder.nativeOrder()).putInt(((Inet6Address) address).getScopeId());
        } else {
            b.put(address.getAddress());
        }
        return b.array();
    }

    /**
     * Attaches {@code ldh [icmp + 4]; jeq #identifier, accept, drop}: the kernel then queues only echo messages
     * with this identifier (and anything too short to hold one is dropped too). A raw IPv4 socket's filter sees the IP
     * header first, whose length the {@code ldxb 4*([0]&0xf)} instruction loads.
     */
    private void acceptOnlyIdentifier(int identifier) throws IOException {
        int[][] program = ipv6
                ? new int[][] {{0x28, 0, 0, 4}, {0x15, 0, 1, identifier}, {0x06, 0, 0, 0xffff}, {0x06, 0, 0, 0}}
                : new int[][] {
                    {0xb1, 0, 0, 0}, {0x48, 0, 0, 4}, {0x15, 0, 1, identifier}, {0x06, 0, 0, 0xffff}, {0x06, 0, 0, 0}
                };
        try (Memory filter = new Memory(8L * program.length);
                Memory fprog = new Memory(16)) {
            for (int i = 0; i < program.length; i++) {
                filter.setShort(8L * i, (short) program[i][0]);
                filter.setByte(8L * i + 2, (byte) program[i][1]);
                filter.setByte(8L * i + 3, (byte) program[i][2]);
                filter.setInt(8L * i + 4, program[i][3]);
            }
            fprog.clear();
            fprog.setShort(0, (short) program.length);
            fprog.setPointer(8, filter);
            LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ATTACH_FILTER, fprog, 16);
        } catch (LastErrorException e) {
            close();
            throw new IOException("could not attach the identifier filter to a raw ICMP socket: " + describe(e));
        }
    }

    private void stampReceives() throws IOException {
        try (Memory on = new Memory(4)) {
            on.setInt(0, 1);
            LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_TIMESTAMPNS, on, 4);
        } catch (LastErrorException e) {
            close();
            throw new IOException("could not ask for receive times on an ICMP socket: " + describe(e));
        }
    }

    private static String describe(LastErrorException e) {
        String m = e.getMessage();
        return m == null
                ? "errno " + e.getErrorCode()
                : m.replaceFirst("^\\[(\\d+)\\] ", "") + " (errno " + e.getErrorCode() + ")";
    }

    @Override
    public void close() {
        block.close();
        try {
            LibC.close(fd);
        } catch (LastErrorException ignored) {
            // the descriptor is released whatever close reports
        }
    }
}

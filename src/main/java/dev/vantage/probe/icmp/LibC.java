package dev.vantage.probe.icmp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls an ICMP socket needs, through JNA's direct mapping (a native method per call, bound once by
 * {@link Native#register}): an interface mapping goes through a proxy and reflection on every call, which shows in
 * a loopback round trip of 40 µs. Linux on 64-bit platforms: {@code size_t} and {@code nfds_t} are Java
 * {@code long}s. Every call that fails throws {@link LastErrorException} with its {@code errno}.
 */
final class LibC {
    static {
        Native.register("c");
    }

    private LibC() {}

    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_ICMPV6 = 58;
    static final int SOL_SOCKET = 1;
    static final int SO_ATTACH_FILTER = 26;
    /** SO_TIMESTAMPNS_OLD: a receive time (CLOCK_REALTIME, struct timespec) with every message; also its cmsg type. */
    static final int SO_TIMESTAMPNS = 35;

    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 1;

    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EPROTONOSUPPORT = 93;
    static final int EAFNOSUPPORT = 97;

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

    static native long sendto(int fd, byte[] buf, long length, int flags, byte[] to, int toLength)
            throws LastErrorException;

    static native long recvfrom(int fd, byte[] buf, long length, int flags, byte[] from, int[] fromLength)
            throws LastErrorException;

    static native long sendto(int fd, Pointer buf, long length, int flags, Pointer to, int toLength)
            throws LastErrorException;

    static native long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

    static native int poll(byte[] fds, long count, int timeoutMillis) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;
}

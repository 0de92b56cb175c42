package dev.vantage.probe.icmp;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The few libc calls an ICMP socket needs, through JNA. Linux on 64-bit platforms: {@code size_t} and {@code nfds_t}
 * are Java {@code long}s. Every call that fails throws {@link LastErrorException} with its {@code errno}.
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int AF_INET = 2;
    int AF_INET6 = 10;
    int SOCK_DGRAM = 2;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int IPPROTO_ICMP = 1;
    int IPPROTO_ICMPV6 = 58;
    int SOL_SOCKET = 1;
    int SO_ATTACH_FILTER = 26;
    int MSG_DONTWAIT = 0x40;
    short POLLIN = 1;

    int EPERM = 1;
    int EINTR = 4;
    int EAGAIN = 11;
    int EACCES = 13;
    int EPROTONOSUPPORT = 93;
    int EAFNOSUPPORT = 97;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

    long sendto(int fd, byte[] buf, long length, int flags, byte[] to, int toLength) throws LastErrorException;

    long recvfrom(int fd, byte[] buf, long length, int flags, byte[] from, IntByReference fromLength)
            throws LastErrorException;

    int poll(byte[] fds, long count, int timeoutMillis) throws LastErrorException;

    int close(int fd) throws LastErrorException;
}

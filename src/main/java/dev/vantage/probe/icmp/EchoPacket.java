package dev.vantage.probe.icmp;

/**
 * ICMP and ICMPv6 echo messages as bytes (RFC 792, RFC 4443): {@code type, code, checksum, identifier, sequence,
 * payload}, all in network byte order. Pure, so that it is tested without a socket.
 */
final class EchoPacket {
    static final int HEADER_BYTES = 8;
    static final int ECHO_REQUEST_V4 = 8;
    static final int ECHO_REPLY_V4 = 0;
    static final int ECHO_REQUEST_V6 = 128;
    static final int ECHO_REPLY_V6 = 129;

    private EchoPacket() {}

    /**
     * An echo request. The checksum is filled for IPv4 only: the kernel computes it for ICMPv6 (it covers a pseudo
     * header this side does not know) and for ping sockets; on a ping socket it also replaces the identifier.
     */
    static byte[] request(boolean ipv6, int identifier, int sequence, int payloadBytes) {
        byte[] p = new byte[HEADER_BYTES + payloadBytes];
        p[0] = (byte) (ipv6 ? ECHO_REQUEST_V6 : ECHO_REQUEST_V4);
        put16(p, 4, identifier);
        put16(p, 6, sequence);
        for (int i = 0; i < payloadBytes; i++) {
            p[HEADER_BYTES + i] = (byte) (0x10 + i); // ping's pattern, recognisable in a capture
        }
        if (!ipv6) {
            put16(p, 2, checksum(p, 0, p.length));
        }
        return p;
    }

    /**
     * The sequence number of an echo reply in {@code buf[0..length)}, or -1 when it is something else (another
     * type, our own request seen on a raw loopback socket, a reply to another process's identifier).
     *
     * @param ipHeader true when {@code buf} starts with an IPv4 header (raw IPv4 sockets deliver it)
     * @param identifier the identifier to match, or -1 to accept any (a ping socket delivers only its own replies)
     */
    static int replySequence(byte[] buf, int length, boolean ipv6, boolean ipHeader, int identifier) {
        int at = 0;
        if (ipHeader) {
            if (length < 20) {
                return -1;
            }
            at = (buf[0] & 0x0f) * 4;
        }
        if (length - at < HEADER_BYTES) {
            return -1;
        }
        int type = buf[at] & 0xff;
        if (type != (ipv6 ? ECHO_REPLY_V6 : ECHO_REPLY_V4) || buf[at + 1] != 0) {
            return -1;
        }
        if (identifier >= 0 && get16(buf, at + 4) != identifier) {
            return -1;
        }
        return get16(buf, at + 6);
    }

    /** The Internet checksum (RFC 1071) of {@code p[from..to)} with the checksum field counted as zero. */
    static int checksum(byte[] p, int from, int to) {
        long sum = 0;
        for (int i = from; i + 1 < to; i += 2) {
            if (i - from != 2) {
                sum += get16(p, i);
            }
        }
        if ((to - from) % 2 == 1) {
            sum += (p[to - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    static int get16(byte[] p, int at) {
        return ((p[at] & 0xff) << 8) | (p[at + 1] & 0xff);
    }

    private static void put16(byte[] p, int at, int value) {
        p[at] = (byte) (value >> 8);
        p[at + 1] = (byte) value;
    }
}

package dev.vantage.probe.tls;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A loopback TCP server that reads the first TLS record of one connection, parses its ClientHello and closes: what a
 * client offers (key shares, supported groups), without a TLS stack that would answer it.
 */
final class ClientHelloCapture implements AutoCloseable {
    /** The named groups of a ClientHello's key shares and of its supported_groups extension, as IANA numbers. */
    record Hello(List<Integer> keyShares, List<Integer> supportedGroups) {}

    static final int X25519 = 0x001d;
    static final int SECP256R1 = 0x0017;
    static final int SECP384R1 = 0x0018;

    private final ServerSocket server;
    private final CompletableFuture<Hello> hello = new CompletableFuture<>();

    ClientHelloCapture() throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::readOne);
    }

    int port() {
        return server.getLocalPort();
    }

    Hello hello() throws Exception {
        return hello.get(10, TimeUnit.SECONDS);
    }

    private void readOne() {
        try (Socket s = server.accept()) {
            s.setSoTimeout(10_000);
            var in = new DataInputStream(s.getInputStream());
            int type = in.readUnsignedByte();
            in.readUnsignedShort(); // record version
            byte[] record = new byte[in.readUnsignedShort()];
            in.readFully(record);
            if (type != 22 || record[0] != 1) {
                throw new IOException("not a ClientHello: record type " + type + ", handshake type " + record[0]);
            }
            hello.complete(parse(ByteBuffer.wrap(record, 4, record.length - 4)));
        } catch (Exception e) {
            hello.completeExceptionally(e);
        }
    }

    private static Hello parse(ByteBuffer b) {
        b.position(b.position() + 2 + 32); // version, random
        skip(b, b.get() & 0xff); // session id
        skip(b, b.getShort() & 0xffff); // cipher suites
        skip(b, b.get() & 0xff); // compression methods
        int end = b.position() + (b.getShort() & 0xffff);
        List<Integer> shares = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        while (b.position() < end) {
            int extension = b.getShort() & 0xffff;
            int length = b.getShort() & 0xffff;
            int next = b.position() + length;
            if (extension == 51) { // key_share
                int listEnd = b.position() + 2 + (b.getShort() & 0xffff);
                while (b.position() < listEnd) {
                    shares.add(b.getShort() & 0xffff);
                    skip(b, b.getShort() & 0xffff);
                }
            } else if (extension == 10) { // supported_groups
                int n = (b.getShort() & 0xffff) / 2;
                for (int i = 0; i < n; i++) {
                    groups.add(b.getShort() & 0xffff);
                }
            }
            b.position(next);
        }
        return new Hello(List.copyOf(shares), List.copyOf(groups));
    }

    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}

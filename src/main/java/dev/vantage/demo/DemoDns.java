package dev.vantage.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;

/**
 * The demo's DNS server: authoritative for {@value #NAME} on a loopback UDP port, with one A record ({@value
 * #ADDRESS}) and one TXT record; any other name is NXDOMAIN. Built from dnsjava's message classes, like the tests'
 * own server, so that {@code dns} monitors have a target that never leaves the machine.
 */
final class DemoDns implements AutoCloseable {
    static final String NAME = "demo.vantage.test.";
    static final String ADDRESS = "192.0.2.10";

    private final DatagramSocket socket;
    private final List<Record> records;

    DemoDns(InetAddress loopback) {
        try {
            Name name = Name.fromString(NAME);
            records = List.of(
                    new ARecord(name, DClass.IN, 60, InetAddress.getByName(ADDRESS)),
                    new TXTRecord(name, DClass.IN, 60, "vantage demo"));
            socket = new DatagramSocket(new InetSocketAddress(loopback, 0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the demo DNS server", e);
        }
        Thread.ofVirtual().name("demo-dns-" + socket.getLocalPort()).start(this::serve);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                var packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                byte[] answer = answer(Arrays.copyOf(packet.getData(), packet.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
                // a malformed query: no answer, as a server would drop it
            }
        }
    }

    private byte[] answer(byte[] wire) throws IOException {
        Message query = new Message(wire);
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.addRecord(question, Section.QUESTION);
        if (!question.getName().equals(records.getFirst().getName())) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        for (Record r : records) {
            if (r.getName().equals(question.getName()) && r.getType() == question.getType()) {
                response.addRecord(r, Section.ANSWER);
            }
        }
        return response.toWire();
    }

    @Override
    public void close() {
        socket.close();
    }
}

package dev.vantage.probe.dns;

import dev.vantage.probe.LoopbackTargets;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server in the test's own process, on one loopback port over UDP and TCP, answering from records
 * given in zone-file syntax with dnsjava's own message classes. A name it has no record of is NXDOMAIN; a name it has
 * without the type asked is NOERROR with no answer.
 */
final class DnsTestServer implements AutoCloseable {
    private final Map<Name, List<Record>> records = new HashMap<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;

    DnsTestServer(String... zone) {
        for (String line : zone) {
            try {
                Record r = Record.fromString(
                        Name.fromString(line.substring(0, line.indexOf(' '))),
                        Type.value(line.split(" ")[1]),
                        org.xbill.DNS.DClass.IN,
                        300,
                        line.substring(line.indexOf(' ', line.indexOf(' ') + 1) + 1),
                        Name.root);
                records.computeIfAbsent(r.getName(), n -> new ArrayList<>()).add(r);
            } catch (IOException e) {
                throw new UncheckedIOException("bad test record: " + line, e);
            }
        }
        DatagramSocket u = null;
        ServerSocket t = null;
        for (int attempt = 0; t == null; attempt++) {
            try {
                u = new DatagramSocket(new InetSocketAddress(LoopbackTargets.LOOPBACK, 0));
                t = new ServerSocket();
                t.bind(new InetSocketAddress(LoopbackTargets.LOOPBACK, u.getLocalPort()), 16);
            } catch (BindException e) {
                u.close(); // the TCP port of that number is taken: try another
                t = null;
                if (attempt > 20) {
                    throw new IllegalStateException("no loopback port free for both UDP and TCP", e);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        udp = u;
        tcp = t;
        Thread.ofVirtual().name("dns-test-udp").start(this::serveUdp);
        Thread.ofVirtual().name("dns-test-tcp").start(this::serveTcp);
    }

    int port() {
        return udp.getLocalPort();
    }

    private void serveUdp() {
        byte[] buffer = new byte[512];
        while (!udp.isClosed()) {
            try {
                var packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                byte[] answer = answer(java.util.Arrays.copyOf(packet.getData(), packet.getLength()), true);
                udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                Thread.ofVirtual().start(() -> serveTcp(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serveTcp(Socket socket) {
        try (socket) {
            var in = new DataInputStream(socket.getInputStream());
            var out = new DataOutputStream(socket.getOutputStream());
            byte[] query = new byte[in.readUnsignedShort()];
            in.readFully(query);
            byte[] answer = answer(query, false);
            out.writeShort(answer.length);
            out.write(answer);
            out.flush();
        } catch (IOException e) {
            // client went away
        }
    }

    /** Over UDP, a name starting with {@code truncated.} is answered empty with TC set, as a too large answer is. */
    private byte[] answer(byte[] wire, boolean udp) throws IOException {
        Message query = new Message(wire);
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.addRecord(question, Section.QUESTION);
        List<Record> known = records.get(question.getName());
        if (udp && question.getName().toString().startsWith("truncated.")) {
            response.getHeader().setFlag(Flags.TC);
        } else if (known == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            for (Record r : known) {
                if (r.getType() == question.getType()) {
                    response.addRecord(r, Section.ANSWER);
                }
            }
        }
        return response.toWire();
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}

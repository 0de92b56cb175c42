package dev.vantage.probe.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EchoPacketTest {

    @Test
    void anIpv4RequestCarriesTypeIdentifierSequencePatternAndAChecksumThatVerifies() {
        byte[] p = EchoPacket.request(false, 0x1234, 7, 4);

        assertThat(p).startsWith(8, 0).hasSize(12);
        assertThat(EchoPacket.get16(p, 4)).isEqualTo(0x1234);
        assertThat(EchoPacket.get16(p, 6)).isEqualTo(7);
        assertThat(p).endsWith(0x10, 0x11, 0x12, 0x13);
        assertThat(EchoPacket.get16(p, 2)).isEqualTo(EchoPacket.checksum(p, 0, p.length));
    }

    @Test
    void theChecksumIsRfc1071sOnesComplementSumWithAnOddLastByte() {
        // 0800 0000 0001 0002 41: 0x0800 + 0x0001 + 0x0002 + 0x4100 = 0x4903, complement 0xb6fc
        byte[] p = {8, 0, 0x55, 0x55, 0, 1, 0, 2, 0x41};

        assertThat(EchoPacket.checksum(p, 0, p.length)).isEqualTo(0xb6fc);
    }

    @Test
    void anIpv6RequestLeavesTheChecksumToTheKernel() {
        byte[] p = EchoPacket.request(true, 1, 2, 0);

        assertThat(p).containsExactly(128, 0, 0, 0, 0, 1, 0, 2);
    }

    @Test
    void aReplyIsReadAfterTheIpv4HeaderAndMatchedByIdentifier() {
        byte[] ip = new byte[24 + 8];
        ip[0] = 0x46; // version 4, header of 6 words (with options)
        ip[24 + 5] = 0x34;
        ip[24 + 4] = 0x12;
        ip[24 + 7] = 9;

        assertThat(EchoPacket.replySequence(ip, ip.length, false, true, 0x1234)).isEqualTo(9);
        assertThat(EchoPacket.replySequence(ip, ip.length, false, true, 0x4321))
                .as("another's identifier")
                .isEqualTo(-1);
        assertThat(EchoPacket.replySequence(ip, ip.length - 1, false, true, 0x1234))
                .as("cut short")
                .isEqualTo(-1);
    }

    @Test
    void requestsAndOtherMessagesAreNoReplies() {
        byte[] ownRequest = EchoPacket.request(false, 5, 1, 0);
        byte[] unreachable = {3, 1, 0, 0, 0, 0, 0, 0};
        byte[] v6Reply = {(byte) 129, 0, 0, 0, 0, 5, 0, 3};

        assertThat(EchoPacket.replySequence(ownRequest, 8, false, false, -1)).isEqualTo(-1);
        assertThat(EchoPacket.replySequence(unreachable, 8, false, false, -1)).isEqualTo(-1);
        assertThat(EchoPacket.replySequence(v6Reply, 8, true, false, -1)).isEqualTo(3);
        assertThat(EchoPacket.replySequence(v6Reply, 8, false, false, -1))
                .as("not an ICMPv4 reply")
                .isEqualTo(-1);
    }
}

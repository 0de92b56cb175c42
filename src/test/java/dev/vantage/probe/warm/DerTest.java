package dev.vantage.probe.warm;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DerTest {
    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void objectIdentifiersEncodeTheirFirstTwoArcsInOneByteAndLargeArcsInBase128() {
        assertThat(hex(Der.oid("1.2.840.10045.4.3.2"))).isEqualTo("06082a8648ce3d040302");
        assertThat(hex(Der.oid("2.5.29.17"))).isEqualTo("0603551d11");
        assertThat(hex(Der.oid("1.3.6.1.5.5.7.3.1"))).isEqualTo("06082b06010505070301");
    }

    @Test
    void integersAreMinimalTwosComplementWithALeadingZeroWhenTheHighBitIsSet() {
        assertThat(hex(Der.integer(BigInteger.TWO))).isEqualTo("020102");
        assertThat(hex(Der.integer(BigInteger.valueOf(128)))).isEqualTo("02020080");
        assertThat(hex(Der.integer(BigInteger.ZERO))).isEqualTo("020100");
    }

    @Test
    void lengthsFrom128OnUseTheLongFormWithAsFewBytesAsNeeded() {
        assertThat(hex(Der.octetString(new byte[127])).substring(0, 4)).isEqualTo("047f");
        assertThat(hex(Der.octetString(new byte[128])).substring(0, 6)).isEqualTo("048180");
        assertThat(hex(Der.octetString(new byte[300])).substring(0, 8)).isEqualTo("0482012c");
        assertThat(Der.octetString(new byte[70_000])).hasSize(70_000 + 5);
    }

    @Test
    void timesAreUtcTimeThrough2049AndGeneralizedTimeFrom2050() {
        assertThat(new String(
                        Der.time(Instant.parse("2026-12-06T14:05:09Z")),
                        2,
                        13,
                        java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("261206140509Z");
        assertThat(Der.time(Instant.parse("2026-12-06T14:05:09Z"))[0]).isEqualTo((byte) 0x17);
        byte[] late = Der.time(Instant.parse("2050-01-01T00:00:00Z"));
        assertThat(late[0]).isEqualTo((byte) 0x18);
        assertThat(new String(late, 2, late.length - 2, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("20500101000000Z");
    }

    @Test
    void taggedAndConstructedElementsWrapTheirContents() {
        assertThat(hex(Der.sequence())).isEqualTo("3000");
        assertThat(hex(Der.set(Der.bool(true)))).isEqualTo("31030101ff");
        assertThat(hex(Der.explicit(0, Der.integer(BigInteger.TWO)))).isEqualTo("a003020102");
        assertThat(hex(Der.implicit(7, new byte[] {127, 0, 0, 1}))).isEqualTo("87047f000001");
        assertThat(hex(Der.bitString(new byte[] {1, 2}))).isEqualTo("0303000102");
        assertThat(hex(Der.utf8String("é"))).isEqualTo("0c02c3a9");
    }
}

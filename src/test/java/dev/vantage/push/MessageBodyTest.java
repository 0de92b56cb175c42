package dev.vantage.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageBodyTest {

    private static MessageBody.Message read(String body, int keep) throws Exception {
        return MessageBody.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), keep, Long.MAX_VALUE);
    }

    @Test
    void aShortBodyIsTheWholeMessageAndAnEmptyOneNone() throws Exception {
        assertThat(read("backup done: 3 files\n", 100))
                .isEqualTo(new MessageBody.Message("backup done: 3 files\n", 21, false));
        assertThat(read("", 100)).isEqualTo(MessageBody.Message.NONE);
        assertThat(read("exactly10!", 10)).isEqualTo(new MessageBody.Message("exactly10!", 10, false));
    }

    @Test
    void aLongerBodyKeepsItsStartAndIsMarkedWithWhatWasReceived() throws Exception {
        var message = read("0123456789abcdef", 10);

        assertThat(message).isEqualTo(new MessageBody.Message("0123456789… [cut: 16 bytes received]", 16, true));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"é, 1", "€, 2", "\uD83D\uDE00, 3"})
    void aCutNeverSplitsACharacter(String character, int bytesThatFit) throws Exception {
        var message = read("a" + character + "z", 1 + bytesThatFit);

        assertThat(message.text()).startsWith("a… [cut: ").doesNotContain("\uFFFD");
        assertThat(MessageBody.characterBoundary(("a" + character).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(1 + character.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void aStringIsCutLikeABody() throws Exception {
        assertThat(MessageBody.of("0123456789abcdef", 10)).isEqualTo(read("0123456789abcdef", 10));
        assertThat(MessageBody.of("a\u20ACz", 3).text()).isEqualTo("a… [cut: 5 bytes received]");
        assertThat(MessageBody.of("short", 10)).isEqualTo(new MessageBody.Message("short", 5, false));
        assertThat(MessageBody.of("", 10)).isEqualTo(MessageBody.Message.NONE);
        assertThat(MessageBody.of(null)).isEqualTo(MessageBody.Message.NONE);
    }

    @Test
    void malformedUtf8IsReplacedNotRefused() throws Exception {
        var message = MessageBody.read(new ByteArrayInputStream(new byte[] {'o', 'k', (byte) 0xff}), 100, 100);

        assertThat(message.text()).isEqualTo("ok\uFFFD");
    }

    @Test
    void aBodyPastTheBoundIsNotReadToItsEnd() {
        var stream = new Generated(1L << 40);

        assertThatThrownBy(() -> MessageBody.read(stream, 100, 1_000_000))
                .isInstanceOf(MessageBody.TooLargeException.class);
        assertThat(stream.served).isLessThan(1_100_000);
    }

    @Test
    void twoGibibytesAreReadWithTheMemoryOfTheKeptBytes() throws Exception {
        // The test JVM has a 1 GiB heap: holding the body would fail.
        long size = 2L << 30;
        var message = MessageBody.read(new Generated(size), 100 * 1024, Long.MAX_VALUE);

        assertThat(message.received()).isEqualTo(size);
        assertThat(message.text()).hasSize(100 * 1024 + "… [cut: 2147483648 bytes received]".length());
        assertThat(message.text()).endsWith("… [cut: 2147483648 bytes received]");
    }

    /** {@code size} bytes of 'x', generated as they are read. */
    private static final class Generated extends InputStream {
        private final long size;
        long served;

        Generated(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (served >= size) {
                return -1;
            }
            served++;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (served >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - served);
            java.util.Arrays.fill(b, off, off + n, (byte) 'x');
            served += n;
            return n;
        }
    }
}

package dev.vantage.beat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The end of a job's output, bounded in bytes and lines, which becomes the beat's message. */
class BeatOutputTailTest {
    private static void append(OutputTail tail, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        tail.append(bytes, 0, bytes.length);
    }

    @Test
    void shortOutputIsKeptWhole() {
        var tail = new OutputTail(1024, 50);
        append(tail, "hi\n");
        append(tail, "there\n");

        assertThat(tail.text()).isEqualTo("hi\nthere\n");
        assertThat(new OutputTail(10, 5).text()).isEmpty();
    }

    @Test
    void onlyTheLastLinesAreKeptAndTheCutIsSaid() {
        var tail = new OutputTail(10 * 1024, 50);
        append(tail, IntStream.rangeClosed(1, 200).mapToObj(i -> i + "\n").collect(Collectors.joining()));

        String text = tail.text();
        String kept = IntStream.rangeClosed(151, 200).mapToObj(i -> i + "\n").collect(Collectors.joining());
        int cut = IntStream.rangeClosed(1, 150).map(i -> (i + "\n").length()).sum();
        assertThat(text).isEqualTo("[… " + cut + " bytes cut]\n" + kept);
    }

    @Test
    void onlyTheLastBytesAreKeptAcrossManyWrites() {
        var tail = new OutputTail(8, Integer.MAX_VALUE);
        for (char c = 'a'; c <= 'z'; c++) {
            append(tail, String.valueOf(c));
        }
        append(tail, "0123456789ABCDEF"); // longer than the tail at once

        assertThat(tail.text()).isEqualTo("[… 34 bytes cut]\n89ABCDEF");
        assertThat(tail.total()).isEqualTo(42);
    }

    @Test
    void aCharacterCutInHalfAtTheFrontIsDropped() {
        var tail = new OutputTail(4, Integer.MAX_VALUE);
        append(tail, "xé€"); // 1 + 2 + 3 bytes: the last 4 start inside 'é'

        assertThat(tail.text()).isEqualTo("[… 3 bytes cut]\n€");
    }

    @Test
    void aLastLineWithoutNewlineCountsAsALine() {
        var tail = new OutputTail(1024, 2);
        append(tail, "a\nb\nc");

        assertThat(tail.text()).isEqualTo("[… 2 bytes cut]\nb\nc");
    }
}

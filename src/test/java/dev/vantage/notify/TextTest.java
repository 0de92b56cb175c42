package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void truncationNeverSplitsACharacter() {
        assertThat(Text.truncate("abcdef", 6)).isEqualTo("abcdef");
        assertThat(Text.truncate("abcdefg", 6)).isEqualTo("abcde…");
        assertThat(Text.truncate("abcd😀z", 6)).isEqualTo("abcd…");
    }
}

package dev.vantage.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlTextTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "http://                                 | http://",
                "example.org/a                           | example.org/a",
                "https://shop.example/health             | https://shop.example/health",
                "http://admin:s3cret@/health             | http://***@/health",
                "http://admin:s3cret@host/p?token=abc    | http://***@host/p?***",
                "http://127.0.0.1:99999/health?token=abc | http://127.0.0.1:99999/health?***",
                "https://h/p#access_token=abc            | https://h/p#***",
                "https://u:p@ss/w@rd@[x/p                | https://***@[x/p",
                "tcp://admin:s3cret@127.0.0.1            | tcp://***@127.0.0.1",
                "admin:s3cret@host/p                     | ***@host/p",
                "https://h/p?                            | https://h/p?",
            })
    void masksUserInfoQueryAndFragmentEvenWhenTheUrlDoesNotParse(String url, String quotable) {
        assertThat(UrlText.quotable(url)).isEqualTo(quotable);
        assertThat(UrlText.quotable(url)).doesNotContain("s3cret", "abc", "p@ss");
    }
}

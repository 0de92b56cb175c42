package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A dependency's notice lists the dependents it suppressed, in its JSON and in the one line every notifier shows. */
class NoticeSuppressedTest {
    private static Notice.Suppressed dependent(int id, String name) {
        return new Notice.Suppressed(id, name, "vantage-incident-" + (100 + id));
    }

    @Test
    void oneSuppressedDependentIsNamedInTheSingular() {
        assertThat(Notice.suppressedSentence(List.of(dependent(2, "api-a"))))
                .isEqualTo("and 1 dependent monitor suppressed: api-a");
    }

    @Test
    void manySuppressedDependentsAreCountedAndTheFirstTenNamedBeforeAnEllipsis() {
        var many = IntStream.rangeClosed(1, 12)
                .mapToObj(i -> dependent(i, "api-" + i))
                .toList();
        assertThat(Notice.suppressedSentence(many))
                .isEqualTo(
                        "and 12 dependent monitors suppressed: api-1, api-2, api-3, api-4, api-5, api-6, api-7, api-8,"
                                + " api-9, api-10, …");
    }

    @Test
    void theSummaryEndsWithTheSentenceAndTheJsonListsEachDependentWithItsDedupKey() {
        var notice = Notices.firing().withSuppressed(List.of(dependent(2, "api-a"), dependent(3, "api-b")));

        assertThat(notice.summary())
                .isEqualTo(Notices.firing().summary() + ", and 2 dependent monitors suppressed: api-a, api-b");
        var json = NoticeJson.toJson(notice);
        assertThat(NoticeJson.write(json.get("suppressed")))
                .isEqualTo("[{\"monitor_id\":2,\"monitor_name\":\"api-a\",\"dedup_key\":\"vantage-incident-102\"},"
                        + "{\"monitor_id\":3,\"monitor_name\":\"api-b\",\"dedup_key\":\"vantage-incident-103\"}]");
        assertThat(NoticeJson.fromJson(json)).isEqualTo(notice);
    }

    @Test
    void aNoticeThatSuppressedNothingIsUnchangedAndSaysSoWithAnEmptyList() {
        var notice = Notices.firing();
        assertThat(notice.withSuppressed(List.of())).isSameAs(notice);
        assertThat(NoticeJson.write(NoticeJson.toJson(notice).get("suppressed")))
                .isEqualTo("[]");
    }
}

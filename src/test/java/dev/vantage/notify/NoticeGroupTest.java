package dev.vantage.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoticeGroupTest {

    @Test
    void aGroupNamesItsMembersAndKeepsEachOneWhole() {
        Notice group = Notices.group();

        assertThat(group.summary()).isEqualTo("3 monitors DOWN: checkout (NY, VA), payments (VA), search (SYD)");
        assertThat(group.isGroup()).isTrue();
        assertThat(group.event()).isEqualTo(Event.FIRING);
        assertThat(group.dedupKey()).isEqualTo("vantage-group-101");
        assertThat(group.kind()).isEqualTo("group");
        assertThat(group.state()).isEqualTo("DOWN");
        assertThat(group.datacenters()).containsExactly("NY", "SYD", "VA");
        assertThat(group.openedAt()).isEqualTo(Notices.OPENED.plusSeconds(7));
        assertThat(group.at()).isEqualTo(Notices.FIRED.plusSeconds(9));
        assertThat(group.resolvedAt()).isNull();
        assertThat(group.members())
                .extracting(Notice::dedupKey)
                .containsExactly("vantage-incident-42", "vantage-incident-43", "vantage-incident-44");
        assertThat(Notices.firing().isGroup()).isFalse();
    }

    @Test
    void membersInDifferentStatesSayTheirOwn() {
        Notice lost = new Notice(
                Event.LOST,
                "vantage-incident-50",
                50,
                "datacenter",
                "global",
                null,
                null,
                null,
                List.of("SYD"),
                "LOST",
                null,
                null,
                Notices.OPENED,
                null,
                Notices.FIRED,
                "datacenter SYD is LOST");
        Notice reminder = Notices.with(Notices.firing(), Event.REMINDER, "checkout is still DOWN");

        Notice group = NoticeGroup.of(9, List.of(reminder, lost));

        assertThat(group.summary()).isEqualTo("2 incidents: checkout DOWN (NY, VA), SYD LOST");
        assertThat(group.event())
                .as("a lost datacenter is news; a reminder is not")
                .isEqualTo(Event.LOST);
        assertThat(group.state()).isNull();
    }

    @Test
    void aLongGroupIsCutWithHowManyMore() {
        var members = new ArrayList<Notice>();
        for (int i = 0; i < 200; i++) {
            members.add(Notices.firing(1000 + i, i, "monitor-number-" + i, List.of("VA")));
        }

        String summary = NoticeGroup.of(1, members).summary();

        assertThat(summary).hasSizeLessThanOrEqualTo(NoticeGroup.SUMMARY_CHARS);
        assertThat(summary).startsWith("200 monitors DOWN: monitor-number-0 (VA), monitor-number-1 (VA), ");
        assertThat(summary).matches(".*\\(VA\\), and \\d+ more");
        int listed = summary.split("\\(VA\\)").length - 1;
        assertThat(summary).endsWith("and " + (200 - listed) + " more");
    }

    @Test
    void aGroupHasAtLeastTwoMembers() {
        assertThatThrownBy(() -> NoticeGroup.of(1, List.of(Notices.firing())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a group has at least two members, had 1");
    }

    @Test
    void theJsonOfAGroupListsEveryMemberInFullAndReadsBack() throws Exception {
        Notice group = Notices.group();

        var json = NoticeJson.toJson(group);

        assertThat(json.path("incident_id").isNull()).isTrue();
        assertThat(json.path("members")).hasSize(3);
        assertThat(json.path("members").get(1))
                .isEqualTo(NoticeJson.toJson(group.members().get(1)));
        assertThat(NoticeJson.fromJson(NoticeJson.MAPPER.readTree(NoticeJson.write(json)))
                        .members())
                .isEqualTo(group.members());
        assertThat(NoticeJson.toJson(Notices.firing()).has("members"))
                .as("a single notice reads as it always did")
                .isFalse();
    }

    @Test
    void textLinesAreOnePerMember() {
        assertThat(Text.lines(Notices.group()))
                .containsExactly(
                        "checkout is DOWN in NY, VA: HTTP_STATUS [STATUS] (503) == 200",
                        "payments is DOWN in VA: HTTP_STATUS [STATUS] (503) == 200",
                        "search is DOWN in SYD: HTTP_STATUS [STATUS] (503) == 200");
        assertThat(Text.lines(Notices.firing()))
                .containsExactly(Notices.firing().summary());
    }
}

package dev.vantage.notify;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The one notice that lists several incidents of one channel, sent instead of one notice each (the channel's
 * {@code group_seconds}). Its summary names them, e.g. {@code "3 monitors DOWN: checkout (NY, VA), api (VA), search
 * (SYD)"}; its dedup key names the group; each member keeps its own notice, dedup key included.
 */
public final class NoticeGroup {
    /** The longest group summary: a headline, not the list (notifiers that have room list every member). */
    static final int SUMMARY_CHARS = 400;

    /** Which event a group reports when its members differ: the first of these that a member has. */
    private static final List<Event> PRECEDENCE =
            List.of(Event.FIRING, Event.LOST, Event.RESOLVED, Event.FOUND, Event.REMINDER);

    private NoticeGroup() {}

    /** The dedup key of the group whose first notification is {@code groupId}: stable across its attempts. */
    public static String dedupKey(long groupId) {
        return "vantage-group-" + groupId;
    }

    /**
     * The notice of a group.
     *
     * @param members at least two notices, in the order they are listed
     */
    public static Notice of(long groupId, List<Notice> members) {
        Objects.requireNonNull(members, "members");
        if (members.size() < 2) {
            throw new IllegalArgumentException("a group has at least two members, had " + members.size());
        }
        var datacenters = new TreeSet<String>();
        members.forEach(m -> datacenters.addAll(m.datacenters()));
        boolean allResolved = members.stream().allMatch(m -> m.resolvedAt() != null);
        return new Notice(
                event(members),
                dedupKey(groupId),
                0,
                "group",
                common(members, Notice::scope),
                null,
                null,
                null,
                List.copyOf(datacenters),
                common(members, Notice::state),
                null,
                null,
                earliest(members, Notice::openedAt),
                allResolved ? latest(members, Notice::resolvedAt) : null,
                latest(members, Notice::at),
                summary(members),
                List.of(),
                members);
    }

    static Event event(List<Notice> members) {
        Event first = members.getFirst().event();
        if (members.stream().allMatch(m -> m.event() == first)) {
            return first;
        }
        for (Event e : PRECEDENCE) {
            if (members.stream().anyMatch(m -> m.event() == e)) {
                return e;
            }
        }
        return first;
    }

    /**
     * {@code "3 monitors DOWN: checkout (NY, VA), api (VA), search (SYD)"}; when the members' states differ each
     * label says its own ({@code "2 incidents: checkout DOWN (NY), SYD LOST"}); cut to {@link #SUMMARY_CHARS} with
     * {@code "and 7 more"}.
     */
    static String summary(List<Notice> members) {
        String state = common(members, Notice::state);
        String kind = common(members, Notice::kind);
        String noun =
                switch (kind == null ? "" : kind) {
                    case "monitor" -> "monitors";
                    case "datacenter" -> "datacenters";
                    case "certificate" -> "certificates";
                    default -> "incidents";
                };
        var text = new StringBuilder()
                .append(members.size())
                .append(' ')
                .append(noun)
                .append(state == null ? "" : " " + state)
                .append(": ");
        for (int i = 0; i < members.size(); i++) {
            String label = (i == 0 ? "" : ", ") + label(members.get(i), state == null);
            int left = members.size() - i - 1;
            String more = left == 0 ? "" : ", and " + left + " more";
            if (text.length() + label.length() + more.length() > SUMMARY_CHARS) {
                return text.append(i == 0 ? "" : ", ")
                        .append("and ")
                        .append(members.size() - i)
                        .append(" more")
                        .toString();
            }
            text.append(label);
        }
        return text.toString();
    }

    /** {@code checkout (NY, VA)}, a datacenter by its code ({@code SYD}); with its state when asked. */
    static String label(Notice n, boolean withState) {
        String where = String.join(", ", n.datacenters());
        String name = n.monitorName() != null ? n.monitorName() : where.isEmpty() ? n.dedupKey() : where;
        String state = withState && n.state() != null ? " " + n.state() : "";
        boolean named = n.monitorName() != null || where.isEmpty();
        return name + state + (named && !where.isEmpty() ? " (" + where + ")" : "");
    }

    private static String common(List<Notice> members, Function<Notice, String> field) {
        String first = field.apply(members.getFirst());
        return members.stream().allMatch(m -> Objects.equals(field.apply(m), first)) ? first : null;
    }

    private static Instant earliest(List<Notice> members, Function<Notice, Instant> field) {
        return members.stream()
                .map(field)
                .filter(Objects::nonNull)
                .min(Comparator.naturalOrder())
                .orElse(null);
    }

    private static Instant latest(List<Notice> members, Function<Notice, Instant> field) {
        return members.stream()
                .map(field)
                .filter(Objects::nonNull)
                .max(Comparator.naturalOrder())
                .orElse(null);
    }
}

package dev.vantage.notify;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Cutting text to a receiver's limits without splitting a character. */
public final class Text {
    static final String ELLIPSIS = "…";

    private Text() {}

    /** At most {@code max} UTF-16 chars; a cut text ends with an ellipsis. */
    public static String truncate(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = max - 1;
        if (Character.isLowSurrogate(s.charAt(end)) && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + ELLIPSIS;
    }

    /**
     * One line per incident of a notice: each member's summary for a {@linkplain Notice#isGroup group}, else the
     * notice's own. How the notifiers that write text list a group.
     */
    public static List<String> lines(Notice notice) {
        return notice.isGroup() ? notice.members().stream().map(Notice::summary).toList() : List.of(notice.summary());
    }

    /**
     * A group's members as a list to append to a message, one {@code bullet}ed line each after a newline, at most
     * {@code maxLines} of them and then "… and N more"; empty for the notice of one incident, whose summary says it all.
     */
    public static String memberList(Notice notice, String bullet, int maxLines) {
        if (!notice.isGroup()) {
            return "";
        }
        List<String> lines = lines(notice);
        var out = new StringBuilder();
        for (int i = 0; i < Math.min(lines.size(), maxLines); i++) {
            out.append('\n').append(bullet).append(lines.get(i));
        }
        if (lines.size() > maxLines) {
            out.append('\n')
                    .append(ELLIPSIS)
                    .append(" and ")
                    .append(lines.size() - maxLines)
                    .append(" more");
        }
        return out.toString();
    }

    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}

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

    public static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}

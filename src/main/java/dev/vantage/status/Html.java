package dev.vantage.status;

/** HTML escaping: every value from the database passes through {@link #text} before it reaches a page. */
final class Html {
    private Html() {}

    /** Escapes for element content and double- or single-quoted attribute values; null becomes empty. */
    static String text(String s) {
        if (s == null) {
            return "";
        }
        var out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(Character.isISOControl(c) && c != '\n' && c != '\t' ? ' ' : c);
            }
        }
        return out.toString();
    }
}

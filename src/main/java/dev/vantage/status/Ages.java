package dev.vantage.status;

/** Ages in seconds as people read them. */
final class Ages {
    private Ages() {}

    /** Compact, like kubectl's AGE column: {@code 45s}, {@code 3m}, {@code 5h}, {@code 2d}. */
    static String compact(long seconds) {
        if (seconds < 120) {
            return seconds + "s";
        }
        if (seconds < 120 * 60) {
            return seconds / 60 + "m";
        }
        if (seconds < 48 * 3600) {
            return seconds / 3600 + "h";
        }
        return seconds / 86400 + "d";
    }

    /** In words: {@code 45 s}, {@code 3 min}, {@code 5 h}, {@code 2 d}. */
    static String words(long seconds) {
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 120 * 60) {
            return seconds / 60 + " min";
        }
        if (seconds < 48 * 3600) {
            return seconds / 3600 + " h";
        }
        return seconds / 86400 + " d";
    }
}

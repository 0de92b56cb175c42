package dev.vantage.probe.dns;

import java.util.List;
import java.util.Locale;

/** The checks of a dns monitor's answers, as a pure function: null when they hold, else a sentence saying why not. */
final class DnsExpectations {
    private DnsExpectations() {}

    static String check(DnsSettings settings, List<String> answers) {
        if (!settings.expectAny().isEmpty() && settings.expectAny().stream().noneMatch(e -> contains(answers, e))) {
            return "no answer is one of " + settings.expectAny() + "; answers " + answers;
        }
        for (String expected : settings.expectAll()) {
            if (!contains(answers, expected)) {
                return "no answer is " + expected + " (expect_all " + settings.expectAll() + "); answers " + answers;
            }
        }
        if (settings.expectRegex() != null
                && answers.stream()
                        .noneMatch(a -> settings.expectRegex().matcher(a).find())) {
            return "no answer matches /" + settings.expectRegex().pattern() + "/; answers " + answers;
        }
        return null;
    }

    /** Names compare without case and without their final dot; TXT data exactly. */
    private static boolean contains(List<String> answers, String expected) {
        String e = normal(expected);
        return answers.stream().anyMatch(a -> a.equals(expected) || normal(a).equals(e));
    }

    private static String normal(String s) {
        String t = s.trim();
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        return t.toLowerCase(Locale.ROOT);
    }
}

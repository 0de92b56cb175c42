package dev.vantage.security;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Secrets planted by a test: each a distinct random string ({@code CANARY} and random hex digits, so it survives JSON,
 * HTML and URL encoding unchanged) with the label that names it in a failure. {@link #check} looks for each one in a
 * text and remembers every leak, so that one run reports all of them at once.
 */
final class Canaries {
    /** Where a secret comes from: a notification may carry its own channel's credentials, nothing else. */
    enum Kind {
        MONITOR,
        CHANNEL,
        DATABASE,
        HTTP
    }

    /**
     * One planted secret.
     *
     * @param label what it is, for failure messages
     * @param value the secret as planted
     */
    record Canary(String label, Kind kind, String value) {
        /**
         * The random part, at least 16 hex digits: found even when a leak truncates the value or drops its prefix.
         */
        String core() {
            return value.substring(PREFIX.length(), Math.min(value.length(), PREFIX.length() + 16));
        }
    }

    private static final String PREFIX = "CANARY";

    private final List<Canary> planted = new ArrayList<>();
    private final List<String> leaks = new ArrayList<>();
    private final List<String> checked = new ArrayList<>();

    /** A new secret of 36 characters (base64-decodable, as a {@code whsec_} key must be). */
    String plant(String label, Kind kind) {
        return plant(label, kind, 36);
    }

    /** A new secret of exactly {@code length} letters and digits (at least 22), e.g. 32 for a PagerDuty key. */
    String plant(String label, Kind kind, int length) {
        if (length < PREFIX.length() + 16) {
            throw new IllegalArgumentException("a canary needs 16 random digits, asked for " + length + " characters");
        }
        byte[] random = new byte[length];
        ThreadLocalRandom.current().nextBytes(random);
        String value = (PREFIX + HexFormat.of().formatHex(random)).substring(0, length);
        planted.add(new Canary(label, kind, value));
        return value;
    }

    /** The value planted under {@code label}. */
    String value(String label) {
        return planted.stream()
                .filter(c -> c.label().equals(label))
                .map(Canary::value)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no canary labelled " + label));
    }

    /** Records a leak for every planted secret found in {@code text}. */
    void check(String where, String text) {
        check(where, text, c -> true);
    }

    /** Records a leak for every planted secret that {@code which} selects and {@code text} contains. */
    void check(String where, String text, Predicate<Canary> which) {
        checked.add(where);
        for (Canary c : planted) {
            if (which.test(c) && text != null && text.contains(c.core())) {
                leaks.add(c.label() + " (" + c.value() + ") in " + where + ":\n    " + around(text, c.core()));
            }
        }
    }

    /** Every leak found so far, described with the text around it. */
    List<String> leaks() {
        return List.copyOf(leaks);
    }

    /** The places checked, in order. */
    List<String> checked() {
        return List.copyOf(checked);
    }

    private static String around(String text, String needle) {
        int at = text.indexOf(needle);
        int from = Math.max(0, at - 160);
        int to = Math.min(text.length(), at + needle.length() + 80);
        return text.substring(from, to).replace("\n", "\\n");
    }
}

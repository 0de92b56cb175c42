package dev.vantage.apply;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${env:NAME}} references in secret fields: replaced by the environment variable NAME when a file is read, so
 * that a file kept in git names a credential without holding it. {@code $${} stands for a literal {@code ${}.
 */
final class EnvRefs {
    private static final Pattern REF = Pattern.compile("\\$\\$\\{|\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}|\\$\\{[^}]*}?");

    private EnvRefs() {}

    /**
     * The text with its references replaced.
     *
     * @throws IllegalArgumentException naming the variable that is not set, or the malformed reference
     */
    static String resolve(String text, Function<String, String> env) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        Matcher m = REF.matcher(text);
        var out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$${")) {
                replacement = "${";
            } else if (m.group(1) != null) {
                replacement = env.apply(m.group(1));
                if (replacement == null) {
                    throw new IllegalArgumentException(
                            "environment variable " + m.group(1) + " is not set (named by " + m.group() + ")");
                }
            } else {
                throw new IllegalArgumentException("'" + m.group()
                        + "' is not a reference: write ${env:NAME} for an environment variable, or $${ for a"
                        + " literal ${");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The text as a literal: a {@code ${} in it is doubled so that {@link #resolve} gives it back unchanged. */
    static String escape(String text) {
        return text.replace("${", "$${");
    }

    /** {@code ${env:NAME}}. */
    static String reference(String name) {
        return "${env:" + name + "}";
    }
}
